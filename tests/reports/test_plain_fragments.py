"""Plain paragraphs skip reportlab's parser: their fragments must be what it would make."""

from __future__ import annotations

import pytest
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from workflow_app.reports import typography
from workflow_app.reports.fonts import register_fonts

TEXTS = ["产出指标", "  资金到位率\n≥ 95%  ", "12.50", "—", "A and B",
         "第一行\n第二行", "满意度（%）≥90"]


@pytest.fixture
def styles():
    fonts = register_fonts()
    return [ParagraphStyle("body", fontName=fonts.serif, fontSize=10.5, leading=16),
            ParagraphStyle("cell", fontName=fonts.sans, fontSize=8, leading=11,
                           alignment=TA_CENTER, textColor="#333333")]


@pytest.mark.parametrize("text", TEXTS)
def test_the_fragments_are_the_parsers(text, styles):
    typography.start_report()
    for style in styles:
        cleaned, mine = typography._plain_fragments(text, style, cleanBlockQuotedText)
        parsed_style, parsed, _bullet = ParaParser().parse(cleanBlockQuotedText(text), style)
        textTransformFrags(parsed, parsed_style)
        assert cleaned == cleanBlockQuotedText(text)
        assert parsed_style is style
        assert [f.__dict__ for f in mine] == [f.__dict__ for f in parsed]


@pytest.mark.parametrize("text", ["<b>粗体</b>", "A &amp; B", "", "   "])
def test_markup_entities_and_blank_text_go_to_the_parser(text, styles):
    assert typography._plain_fragments(text, styles[0], cleanBlockQuotedText) is None


def test_a_paragraph_draws_the_same_either_way(styles):
    plain = typography.CJKParagraph("资金到位率≥95%，预算执行率 100%。", styles[0])
    marked = typography.CJKParagraph("<font>资金到位率≥95%，预算执行率 100%。</font>", styles[0])
    assert plain.wrap(200, 1000) == marked.wrap(200, 1000)
    assert [line for line in plain.blPara.lines] == [line for line in marked.blPara.lines]
