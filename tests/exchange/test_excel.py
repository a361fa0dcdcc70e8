"""The Excel 自评表: layout of the export, round trips, and refused workbooks."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from workflow_app.evaluations.document import DocumentError, to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.exchange import excel
from workflow_app.exchange.operations import StaleVersion
from workflow_app.extensions import db


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(wb) -> bytes:  # noqa: ANN001
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(ws, text: str, column: int = 3) -> int:  # noqa: ANN001
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text} not found")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evaluation))


def test_unit_whole_export_has_the_seed_001_layout(demo):
    wb = _book(excel.export_xlsx(demo.seed001))
    ws = wb[excel.SHEET]
    assert ws["A1"].value == "部门整体支出绩效自评表"
    assert ws["A2"].value == "填报单位：高邑县人民政府办公室"
    assert ws["F2"].value == "单位：万元"
    assert ws["A3"].value == "一、预算执行情况"
    assert (ws["B4"].value, ws["C4"].value, ws["D4"].value, ws["E4"].value) == (
        "预算数：", 1308.05, "执行数：", 906.09)
    assert ws["B5"].value == "其中：财政资金" and ws["C5"].value == 1308.05
    assert ws["B6"].value == "其他" and ws["C6"].value == 0
    assert round(ws["F4"].value, 2) == 0.69 and ws["F4"].number_format == "0%"
    assert [c.value for c in ws[8]] == excel.HEADERS["unit_whole"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:G1", "A3:A6", "F4:G6"} <= merged
    # 投入 spans its five leaves (rows 9–13), 绩效目标管理 its two.
    assert ws["A9"].value == "投入（20）" and "A9:A13" in merged
    assert ws["B9"].value == "绩效目标管理（10）" and "B9:B10" in merged
    assert (ws["C9"].value, ws["F9"].value, ws["G9"].value) == ("绩效目标科学性", 7, 6.5)
    leaves = [r for r in range(9, ws.max_row + 1) if isinstance(ws.cell(r, 6).value, int | float)
              and ws.cell(r, 1).value != "合计" and ws.cell(r, 3).value]
    assert len(leaves) == 33
    total = _row_of(ws, "合计", 1)
    assert (ws.cell(total, 6).value, ws.cell(total, 7).value) == (100, 96.5)
    assert f"A{total}:E{total}" in merged
    assert ws.cell(total + 1, 1).value == "三、绩效目标执行出现的偏差和采取的措施"
    assert ws.cell(total + 1, 3).value.startswith("进一步制定完善的管理制度")
    assert ws.cell(total + 2, 1).value == "填报人：田伟鑫"
    assert ws.cell(total + 2, 4).value == "联系电话：15176828187"
    meta = dict(wb[excel.META_SHEET].iter_rows(values_only=True))
    assert wb[excel.META_SHEET].sheet_state == "hidden"
    assert meta["evaluation_id"] == demo.seed001.id and meta["version"] == demo.seed001.version


def test_project_export_has_the_10hao_columns(demo):
    ws = _book(excel.export_xlsx(demo.seed000))[excel.SHEET]
    assert ws["A1"].value == "项目支出绩效自评表"
    assert ws["A2"].value == "（2021年度）"
    assert ws["C3"].value == "完善绩效考核办法工作经费"
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "一级指标")
    assert [c.value for c in ws[header]] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
        "偏差原因分析及改进措施"]
    row = _row_of(ws, "对标学习次数")
    assert (ws.cell(row, 4).value, ws.cell(row, 5).value, ws.cell(row, 6).value) == (
        "≥1次", "1次", 10)
    total = _row_of(ws, "合计", 1)
    assert (ws.cell(total, 6).value, ws.cell(total, 7).value) == (100, 100)
    assert ws.cell(total, 8).value == "评价等级：优秀"


@pytest.mark.parametrize("which", ["draft001", "draft000"])
def test_unchanged_workbook_round_trips_to_equal_content(request, which):
    evaluation = request.getfixturevalue(which)
    before = to_document(evaluation)
    preparer = evaluation.preparer
    excel.import_into(evaluation, excel.export_xlsx(evaluation), preparer)
    db.session.commit()
    assert to_document(evaluation) == before


def test_workbook_edits_update_the_draft(draft001):
    evaluation = draft001
    wb = _book(excel.export_xlsx(evaluation))
    ws = wb[excel.SHEET]
    row = _row_of(ws, "资金结余结转率")
    ws.cell(row, 7).value = 0.8  # the rule's score instead of the printed 1.5
    total = _row_of(ws, "合计", 1)
    ws.cell(total + 1, 3).value = "加强预算执行管理。"
    ws.cell(total + 2, 4).value = "联系电话：0311-1234567"
    version = evaluation.version
    excel.import_into(evaluation, _save(wb), evaluation.preparer)
    db.session.commit()
    doc = to_document(evaluation)
    leaf = doc["indicators"][1]["children"][0]["children"][3]
    assert leaf["name"] == "资金结余结转率" and leaf["score"] == "0.8"
    deviation = next(s for s in doc["sections"] if s["key"] == "deviation")
    assert deviation["body"] == "加强预算执行管理。"
    assert doc["preparer_phone"] == "0311-1234567"
    assert evaluation.version > version
    from workflow_app.evaluations.scorecard import score_evaluation

    assert score_evaluation(evaluation).entered_total == Decimal("95.8")


def test_project_workbook_updates_targets_actuals_and_reasons(demo):
    evaluation = demo.website
    wb = _book(excel.export_xlsx(evaluation))
    ws = wb[excel.SHEET]
    row = _row_of(ws, "主要产出数量")
    ws.cell(row, 5).value = "10次"
    ws.cell(row, 7).value = 6.67
    ws.cell(row, 8).value = "两次巡检因系统升级顺延至次年。"
    excel.import_into(evaluation, _save(wb), evaluation.preparer)
    db.session.commit()
    leaf = to_document(evaluation)["indicators"][1]["children"][0]["children"][0]
    assert (leaf["actual"], leaf["score"], leaf["deviation_reason"]) == (
        "10次", "6.67", "两次巡检因系统升级顺延至次年。")


def test_budget_figures_are_read_back(draft001):
    evaluation = draft001
    wb = _book(excel.export_xlsx(evaluation))
    ws = wb[excel.SHEET]
    ws["E4"].value = ws["E5"].value = 910.5
    excel.import_into(evaluation, _save(wb), evaluation.preparer)
    db.session.commit()
    assert evaluation.funding[0].spent == Decimal("910.5")


def test_new_draft_from_a_template_and_a_workbook(demo):
    data = excel.export_xlsx(demo.seed001)
    before = _count()
    created = excel.create_from_xlsx(data, demo.users["preparer"])
    db.session.commit()
    assert _count() == before + 1
    assert created.template_key == "unit_whole_2021" and created.fiscal_year == 2021
    doc, seed = to_document(created), to_document(demo.seed001)

    def scores(d):
        out = []

        def walk(nodes):
            for n in nodes:
                walk(n["children"]) if n.get("children") else out.append((n["name"], n["score"]))
        walk(d["indicators"])
        return out

    assert scores(doc) == scores(seed)
    from workflow_app.evaluations.scorecard import score_evaluation

    result = score_evaluation(created)
    assert (result.entered_total, result.entered_grade) == (Decimal("96.5"), "优秀")


def test_hand_made_workbook_needs_a_year(demo):
    wb = _book(excel.export_xlsx(demo.seed001))
    del wb[excel.META_SHEET]
    data = _save(wb)
    with pytest.raises(DocumentError, match="请指定评价年度"):
        excel.create_from_xlsx(data, demo.users["preparer"])
    created = excel.create_from_xlsx(data, demo.users["preparer"], fiscal_year=2022)
    assert created.project_name == "高邑县人民政府办公室2022年度整体支出"


def _clear_row(ws, row: int) -> None:  # noqa: ANN001
    for col in range(3, 8):
        ws.cell(row, col).value = None


def _spoiled(evaluation, spoil) -> bytes:  # noqa: ANN001
    wb = _book(excel.export_xlsx(evaluation))
    spoil(wb[excel.SHEET])
    return _save(wb)


BAD_SHEETS = [
    (lambda ws: setattr(ws.cell(_row_of(ws, "绩效目标科学性"), 7), "value", 8), "超过分值"),
    (lambda ws: setattr(ws.cell(_row_of(ws, "绩效目标科学性"), 6), "value", 8), "分值不能在 Excel"),
    (lambda ws: setattr(ws.cell(_row_of(ws, "绩效目标科学性"), 7), "value", "六分"),
     "不是有效的数字"),
    (lambda ws: setattr(ws.cell(_row_of(ws, "绩效目标科学性"), 7), "value", 6.125),
     "最多保留 2 位小数"),
    (lambda ws: setattr(ws.cell(_row_of(ws, "绩效目标科学性"), 3), "value", "目标科学"),
     "评价中没有这个指标"),
    (lambda ws: _clear_row(ws, _row_of(ws, "预算上报及时性")), "Excel 中缺少指标"),
    (lambda ws: setattr(ws["A8"], "value", "指标"), "找不到“一级指标”表头"),
]


@pytest.mark.parametrize("spoil, message", BAD_SHEETS)
def test_bad_workbooks_are_refused_and_change_nothing(draft001, spoil, message):
    evaluation = draft001
    before, version = to_document(evaluation), evaluation.version
    with pytest.raises(DocumentError) as info:
        excel.import_into(evaluation, _spoiled(evaluation, spoil), evaluation.preparer)
    db.session.rollback()
    assert message in str(info.value), info.value.problems
    assert to_document(evaluation) == before and evaluation.version == version


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really a zip", b"plain text"])
def test_non_excel_files_are_refused(demo, data):
    before = _count()
    with pytest.raises(DocumentError) as info:
        excel.create_from_xlsx(data, demo.users["preparer"], fiscal_year=2021)
    assert "文件" in str(info.value)
    assert _count() == before


def test_empty_workbook_is_refused(demo):
    with pytest.raises(DocumentError, match="一级指标"):
        excel.create_from_xlsx(_save(Workbook()), demo.users["preparer"], fiscal_year=2021)


def test_a_stale_workbook_is_refused(draft001):
    evaluation = draft001
    data = excel.export_xlsx(evaluation)
    excel.import_into(evaluation, data, evaluation.preparer)  # someone saved in between
    db.session.commit()
    with pytest.raises(StaleVersion, match="该评价已被他人修改"):
        excel.import_into(evaluation, data, evaluation.preparer)


def test_another_evaluations_workbook_is_refused(demo, draft001):
    data = excel.export_xlsx(draft001)
    with pytest.raises(DocumentError, match="导出的，不能导入"):
        excel.import_into(demo.website, data, demo.website.preparer)


def test_project_workbook_cannot_fill_a_unit_evaluation(demo, draft001):
    wb = _book(excel.export_xlsx(demo.website))
    del wb[excel.META_SHEET]
    with pytest.raises(DocumentError, match="项目支出自评表"):
        excel.import_into(draft001, _save(wb), draft001.preparer)


def test_every_error_of_a_workbook_is_reported_at_once_with_row_and_column(draft001):
    """Parse errors (a word for a number) and errors found against the evaluation (a score
    above its weight, a changed weight, an unknown indicator) come back together, each naming
    its row and column, instead of one per attempt."""
    evaluation = draft001
    before = to_document(evaluation)
    wb = _book(excel.export_xlsx(evaluation))
    ws = wb[excel.SHEET]
    word = _row_of(ws, "绩效目标科学性")
    over = _row_of(ws, "预算上报及时性")
    twice = _row_of(ws, "绩效指标科学性")
    ws.cell(word, 7).value = "六分"
    ws.cell(over, 7).value = 99
    ws.cell(twice, 6).value = 9
    ws.cell(twice, 7).value = 50
    with pytest.raises(DocumentError) as info:
        excel.import_into(evaluation, _save(wb), evaluation.preparer)
    db.session.rollback()
    problems = info.value.problems
    text = "\n".join(problems)
    assert f"第 {word} 行 G 列" in text and "不是有效的数字：六分" in text
    assert f"第 {over} 行 G 列" in text and "超过分值" in text
    assert f"第 {twice} 行 F 列" in text and "分值不能在 Excel" in text
    assert sum(f"第 {twice} 行" in p for p in problems) == 2  # both errors of that row
    assert to_document(evaluation) == before
