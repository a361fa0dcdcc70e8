"""The typography rules of the printed report: Chinese line breaking, whole names, no
punctuation past a cell border, no table tail or chart alone on a page, the statement once."""

from __future__ import annotations

import copy
import io
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from tests.reports.fixtures import sample_record, seed001_doc
from workflow_app.reports.fonts import register_fonts
from workflow_app.reports.render import render_report
from workflow_app.reports.typography import (
    NO_LINE_END,
    NO_LINE_START,
    CJKParagraph,
    TailTable,
    line_spans,
    one_line,
)

# Real sentences: seed 001's own text, and a 评分标准 cell of its 自评表.
SENTENCES = [
    "2021年度，县政府办公室部门整体支出预算1308.05万元，实际支出906.09万元，预算执行率69%，"
    "完成了全年各项工作任务；群众满意率达到90%以上。",
    "1、预算完成率大于或等于95%得满分；2、预算完成率小于或等于85%的得0分；3、预算完成率在"
    "85%—95%之间的，在0分和满分之间确定；每降低一个百分点，扣分值的十分之一。",
    "依据《中华人民共和国预算法》《项目支出绩效评价管理办法》（财预〔2020〕10号）等文件，"
    "评价工作组（组长：郭军涛）对“三公”经费、会议费、培训费开展了评价。",
]


def _style(size: float = 9) -> ParagraphStyle:
    return ParagraphStyle("t", fontName=register_fonts().serif, fontSize=size,
                          leading=size * 1.4, wordWrap="CJK")


def _lines(paragraph: Paragraph, width: float) -> list[str]:
    paragraph.wrap(width, 10_000)
    out = []
    for line in paragraph.blPara.lines:
        if isinstance(line, tuple):  # single-fragment paragraph: (spare, [text])
            out.append("".join(line[1]))
        else:
            out.append("".join(w.text for w in line.words))
    return out


@pytest.mark.parametrize("width", [40, 52, 67, 80, 95, 120, 150, 200, 260])
@pytest.mark.parametrize("sentence", SENTENCES)
def test_no_line_starts_or_ends_with_forbidden_punctuation(sentence: str, width: int) -> None:
    lines = _lines(CJKParagraph(sentence, _style()), width)
    assert "".join(lines) == sentence
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, (width, lines)
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, (width, lines)


@pytest.mark.parametrize("width", [40, 67, 95, 150])
def test_nothing_crosses_the_border(width: int) -> None:
    # reportlab's own CJK wrap hangs a closing mark past the line end; ours never does.
    style = _style()
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for sentence in SENTENCES:
        for line in _lines(CJKParagraph(sentence, style), width):
            assert stringWidth(line, style.fontName, style.fontSize) <= width + 0.01


def test_reportlabs_plain_wrap_does_break_these_rules() -> None:
    # The reason for CJKParagraph: the plain paragraph starts lines with "，" at some width.
    style = _style()
    bad = [w for w in range(40, 200) for s in SENTENCES
           if any(line[:1] in NO_LINE_START for line in _lines(Paragraph(s, style), w)[1:])]
    assert bad


def test_numbers_are_not_split() -> None:
    chars = "预算1308.05万元"
    widths = [10.0] * len(chars)
    # The line is full in the middle of "1308.05": the number moves down whole.
    spans = line_spans(chars, widths, [55.0])
    first = chars[spans[0][0]:spans[0][1]]
    assert first == "预算"


def test_forced_break_when_nothing_else_fits() -> None:
    chars = "A" * 30
    spans = line_spans(chars, [10.0] * 30, [100.0])
    assert [b - a for a, b, _, _ in spans] == [10, 10, 10]


@pytest.mark.parametrize("name", ["买买提·木沙江", "买买提局马·木沙", "欧阳娜娜", "郭军涛"])
def test_names_stay_on_one_line(name: str) -> None:
    width = 18 * mm - 6
    paragraph = one_line(name, name, _style(8.5), width)
    assert len(_lines(paragraph, width)) == 1


def test_long_table_never_leaves_its_last_row_alone() -> None:
    style = _style()
    rows = [[CJKParagraph(f"第{i}行", style)] for i in range(30)]
    table = TailTable(rows, colWidths=[80], rowHeights=[20] * 30, repeatRows=1)
    table.wrap(80, 10_000)
    # 29 rows fit: the plain split would carry one row over; this one carries three.
    first, rest = table.split(80, 29 * 20 + 1)
    assert len(rest._cellvalues) - 1 == TailTable.min_tail
    assert len(first._cellvalues) + len(rest._cellvalues) - 1 == 30


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def test_chart_shares_its_page_with_the_result() -> None:
    doc = seed001_doc()
    pages = _pages(render_report(doc, record=sample_record(doc)))
    chart = [p for p in pages if "各一级指标分值与得分" in p]
    assert len(chart) == 1 and "综合评价结果" in chart[0]


def test_statement_is_printed_once() -> None:
    doc = seed001_doc()
    statement = "本单位对本报告内容的真实性、完整性负责。"
    once = "".join(_pages(render_report(doc, record=sample_record(doc))))
    assert once.count(statement) == 1
    doc = copy.deepcopy(doc)
    doc["sections"][-1]["body"] += "\n本单位对本报告所载内容的真实性、准确性和完整性负责。"
    text = "".join(_pages(render_report(doc, record=sample_record(doc))))
    assert statement not in text
    assert text.count("真实性、准确性和完整性负责") == 1


def test_seed003_target_table_renders_as_a_draft() -> None:
    from tests.reports.fixtures import seed003_doc

    doc = seed003_doc()
    pages = _pages(render_report(doc, record={"draft": True, "revision": 1}))
    text = "".join(pages)
    for target in ("≥14次", "≥3次", "是否按时完成", "≥95%", "评价情况"):
        assert target in text
    assert "组织部门考核次数" in text and "促进全区各项工作顺利开展" in text
    assert "评价工作组尚未组建" in pages[-1]
