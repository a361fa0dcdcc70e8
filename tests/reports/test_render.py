"""Tests of the pure PDF report renderer (workflow_app.reports.render)."""

from __future__ import annotations

import io
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.fixtures import leaf_names, sample_record, seed001_doc
from workflow_app.reports.render import (
    fmt_money,
    fmt_rate,
    fmt_score,
    render_report,
    report_title,
)

A4_SIDES = {595, 842}
VERIFY = {"code": "ABCD-1234", "url": "http://example.test/public/verify/ABCD-1234"}


def _squash(text: str) -> str:
    # Table cells wrap names across lines; compare without any whitespace.
    return re.sub(r"\s+", "", text)


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def doc() -> dict:
    return seed001_doc()


@pytest.fixture(scope="module")
def published_pdf(doc: dict) -> bytes:
    record = sample_record(doc, draft=False, verification=VERIFY, state_label="已公开")
    return render_report(doc, record=record)


@pytest.fixture(scope="module")
def draft_pdf(doc: dict) -> bytes:
    return render_report(doc, record=sample_record(doc))


def test_pdf_parses_and_every_page_is_a4(published_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(published_pdf))
    assert len(reader.pages) >= 8
    for page in reader.pages:
        box = page.mediabox
        # Portrait text pages, landscape table pages: both A4.
        assert {round(float(box.width)), round(float(box.height))} == A4_SIDES


def test_every_page_has_page_x_of_n_footer(published_pdf: bytes) -> None:
    pages = _pages_text(published_pdf)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页" in text
        assert f"共 {total} 页" in text


def test_header_names_unit_and_year_on_every_page(published_pdf: bytes) -> None:
    for text in _pages_text(published_pdf):
        assert "高邑县人民政府办公室" in text
        assert "2021年度" in text


def test_contains_all_indicators_sub_projects_and_team(doc: dict, published_pdf: bytes) -> None:
    text = _squash("".join(_pages_text(published_pdf)))
    names = leaf_names(doc)
    assert len(names) == 33
    for name in names:
        assert _squash(name) in text, name
    assert len(doc["sub_projects"]) == 22
    for item in doc["sub_projects"]:
        assert _squash(item["name"]) in text, item["name"]
    for member in doc["team"]:
        assert member["name"] in text
    for heading in ("部门整体支出绩效自评表", "分项绩效项目清单", "评价工作组人员名单及签字",
                    "本单位对本报告内容的真实性、完整性负责", "（盖章）"):
        assert heading in text


def test_totals_grade_and_rates_are_printed(published_pdf: bytes) -> None:
    text = _squash("".join(_pages_text(published_pdf)))
    assert "96.5" in text and "优秀" in text
    assert "95.8" in text  # the rule-computed total is shown beside the signed one
    assert "580.01" in text  # 分项清单 合计 of 22 budgets, exact
    assert "69.27%" in text  # 906.09 ÷ 1308.05
    assert "100.00%" in text  # 资金到位率


def test_signatures_on_behalf_and_unsigned(published_pdf: bytes) -> None:
    last = _pages_text(published_pdf)[-1]
    assert "田伟鑫 代 马立发 签" in last
    assert "9f2c4e1ab07d" in last  # hash prefix of the signed revision
    assert "2022-05-19 10:31" in last
    assert "未签" in last


def test_every_font_is_embedded(draft_pdf: bytes, tmp_path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(draft_pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                         text=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        # columns: name type encoding emb sub uni object ID; name and type have no spaces
        # for TrueType subsets, so the emb flag is the 4th field from the right of "ID".
        fields = row.split()
        emb = fields[-5]
        assert emb == "yes", row
        assert "Helvetica" not in row and "Times" not in row


def test_same_input_gives_same_bytes(doc: dict, published_pdf: bytes) -> None:
    record = sample_record(doc, draft=False, verification=VERIFY, state_label="已公开")
    assert render_report(seed001_doc(), record=record) == published_pdf


def test_draft_watermark_only_on_drafts(draft_pdf: bytes, published_pdf: bytes) -> None:
    for text in _pages_text(draft_pdf):
        assert "草稿" in text
    assert all("草稿" not in text for text in _pages_text(published_pdf))


def test_default_record_is_a_draft(doc: dict) -> None:
    assert "草稿" in _pages_text(render_report(doc))[0]


def test_verification_code_on_last_page_and_cover(draft_pdf: bytes,
                                                  published_pdf: bytes) -> None:
    pages = _pages_text(published_pdf)
    assert "报告核验码" in pages[-1] and "ABCD-1234" in pages[-1]
    assert VERIFY["url"] in pages[-1]
    assert "ABCD-1234" in pages[0]
    assert all("核验码" not in text for text in _pages_text(draft_pdf))


def test_review_column_only_with_reviews(doc: dict, published_pdf: bytes) -> None:
    assert "复核" not in "".join(_pages_text(published_pdf))
    record = sample_record(doc, reviews={
        "2.1.4": {"score": "0.8", "opinion": "按评分规则结转结余率35%应得0.8分"},
    })
    text = _squash("".join(_pages_text(render_report(doc, record=record))))
    assert "复核得分及意见" in text
    assert "按评分规则结转结余率35%应得0.8分" in text
    assert "95.8" in text  # 96.5 − 1.5 + 0.8: the review total


def test_long_text_renders_across_pages(doc: dict) -> None:
    long_doc = seed001_doc()
    paragraph = "本单位严格执行预算管理制度，规范资金使用，提高财政资金使用效益。" * 10
    long_doc["sections"].append({"key": "long", "title": "七、其他需要说明的问题",
                                 "body": (paragraph + "\n") * 16})
    assert len(long_doc["sections"][-1]["body"]) >= 5000
    leaf = long_doc["indicators"][1]["children"][0]["children"][3]
    leaf["deviation_reason"] = "结转结余偏高。" * 72  # ~500 characters in one narrow cell
    leaf["standard"] = "全部符合得满分。" * 63
    long_doc["sub_projects"][0]["target"] = "预期完成重点项目集中开工各项工作，" * 30
    base_pages = len(PdfReader(io.BytesIO(render_report(doc))).pages)
    pdf = render_report(long_doc)
    pages = _pages_text(pdf)
    assert len(pages) > base_pages
    text = _squash("".join(pages))
    assert "七、其他需要说明的问题" in text
    assert text.count("结转结余偏高。") >= 72
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页" in page


def test_single_huge_cell_still_lays_out(doc: dict) -> None:
    # A cell taller than a page must split inside its row rather than fail.
    huge = seed001_doc()
    huge["indicators"][0]["children"][0]["children"][0]["description"] = "指标内容很长。" * 500
    pages = _pages_text(render_report(huge))
    assert "指标内容很长。" * 3 in _squash("".join(pages))


def test_minimal_project_document_renders() -> None:
    minimal = {
        "schema": "jixiao-ziping/evaluation", "version": 1, "kind": "project",
        "fiscal_year": 2021, "unit": {"name": "考核办", "supervising_department": ""},
        "project_name": "完善绩效考核办法工作经费", "timing": "ex_post", "method": "self",
        "funding": [], "expenses": [], "sub_projects": [], "indicators": [], "sections": [],
        "problems": "", "measures": "", "team": [],
    }
    pdf = render_report(minimal, record={"draft": False})
    text = "".join(_pages_text(pdf))
    assert "2021年度完善绩效考核办法工作经费绩效自评报告" in _squash(text)
    assert "分项绩效项目清单" not in text


def test_float_money_is_rejected(doc: dict) -> None:
    bad = seed001_doc()
    bad["funding"][0]["planned"] = 1308.05
    with pytest.raises(TypeError):
        render_report(bad)


def test_report_title_does_not_repeat_unit_or_year(doc: dict) -> None:
    assert report_title(doc) == "高邑县人民政府办公室2021年度整体支出绩效自评报告"
    other = dict(doc, project_name="", kind="unit_whole")
    assert report_title(other) == "高邑县人民政府办公室2021年度整体支出绩效自评报告"
    project = dict(doc, kind="project", project_name="政府网站技术服务")
    assert report_title(project) == "高邑县人民政府办公室2021年度政府网站技术服务绩效自评报告"


def test_decimal_formatting() -> None:
    assert fmt_money("4.5") == "4.50"
    assert fmt_money("307.991") == "307.991"
    assert fmt_money(Decimal("580.010")) == "580.01"
    assert fmt_money(None) == "—"
    assert fmt_score("96.50") == "96.5"
    assert fmt_score("100") == "100"
    assert fmt_rate(Decimal("906.09"), Decimal("1308.05")) == "69.27%"
    assert fmt_rate(Decimal("1"), Decimal("0")) == "—"
    assert fmt_rate(Decimal("2"), Decimal("3")) == "66.67%"  # half-up


SEED_DIR = Path(__file__).resolve().parents[2] / "workflow_app" / "evaluations" / "seed_examples"


@pytest.mark.parametrize("name", ["seed000.json", "seed001.json"])
def test_application_seed_documents_render(name: str) -> None:
    path = SEED_DIR / name
    seed = json.loads(path.read_text(encoding="utf-8"))
    pages = _pages_text(render_report(seed, record={"draft": False}))
    text = _squash("".join(pages))
    for l1 in seed["indicators"]:
        for l2 in l1.get("children") or []:
            for leaf in l2.get("children") or []:
                assert _squash(leaf["name"]) in text, leaf["name"]
    for member in seed["team"]:
        assert member["name"] in text
    assert f"共 {len(pages)} 页" in pages[-1]
