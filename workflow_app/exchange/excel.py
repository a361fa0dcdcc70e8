"""The 自评表 as an Excel workbook (.xlsx), and back.

Export draws the scoring table in the printed layout: for a whole-unit evaluation seed 001's
部门整体支出绩效自评表 (填报单位, 单位：万元, the 预算执行情况 block, 一级/二级/三级指标 with
merged cells, 指标内容, 评价标准, 分值, 自评得分, 合计, the 偏差 row, 填报人 and 联系电话); for a
project evaluation the 财预〔2020〕10号 附件1 table (年度指标值, 实际完成值, 分值, 得分,
偏差原因分析及改进措施). A hidden sheet ``_meta`` records which evaluation and which version
the workbook was exported from.

Import (docs/evaluation-schema.md, "Excel"): offices fill in the values and scores and send
the workbook back. The indicator tree itself is not edited in Excel: every row must match an
indicator of the evaluation (by its 一级/二级/三级 names) with the same 分值. Read back are
自评得分 and, in the project layout, 年度指标值, 实际完成值 and 偏差原因; the 偏差 text, 填报人,
联系电话 and the budget figures. Either into an existing draft (`import_into`; the workbook's
recorded version must still be current, else the import is refused as stale) or as a new
draft built from an indicator template (`create_from_xlsx`).
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from workflow_app.auth.models import User
from workflow_app.evaluations.document import DocumentError
from workflow_app.evaluations.frameworks import FRAMEWORKS, load_framework
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.operations import create_from_document
from workflow_app.evaluations.scoring import format_decimal, score_document
from workflow_app.exchange.json_io import export_document, validate_document
from workflow_app.exchange.operations import replace_content
from workflow_app.security import xlsx_guard
from workflow_app.security.xlsx_guard import XlsxLimits

XLSX_FORMAT = "jixiao-ziping/evaluation-xlsx"
XLSX_FORMAT_VERSION = 1
SHEET = "自评表"
META_SHEET = "_meta"
MAX_BYTES = 10 * 1024 * 1024
# Checked while streaming (workflow_app.security.xlsx_guard): an exported 自评表 of a
# 300-indicator evaluation has ~350 rows, 8 columns and two sheets.
LIMITS = XlsxLimits(max_bytes=MAX_BYTES, max_sheets=5, max_rows=3_000, max_columns=20,
                    max_cell_chars=20_000, time_budget_s=20.0)
_clock = time.monotonic  # the budget's clock (a test moves it)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

UNIT_WHOLE = "unit_whole"
PROJECT = "project"
DEFAULT_TEMPLATE = {UNIT_WHOLE: "unit_whole_2021", PROJECT: "project_table_2020"}
HEADERS = {
    UNIT_WHOLE: ["一级指标", "二级指标", "三级指标", "指标内容", "评价标准", "分值", "自评得分"],
    PROJECT: ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
              "偏差原因分析及改进措施"],
}
DEVIATION_LABEL = "三、绩效目标执行出现的偏差和采取的措施"
DEVIATION_SECTION = "deviation"
DEVIATION_TITLE = "绩效目标执行出现的偏差和采取的措施"
# The unit's address line under the 填报人 line (printed only when there is one).
ADDRESS_LABEL = "地址："
POSTCODE_LABEL = "邮政编码："
FISCAL_SOURCES = ("central", "provincial", "local")

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WEIGHT_SUFFIX = re.compile(r"\s*[（(]\s*\d+(?:\.\d+)?\s*分?\s*[）)]\s*$")


# --------------------------------------------------------------------------- export


def _d(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def _sum(rows: list[dict[str, Any]], key: str) -> Decimal:
    return sum((_d(r.get(key)) or Decimal(0) for r in rows), Decimal(0))


def _funding_split(doc: dict[str, Any]) -> dict[str, Decimal]:
    fiscal = [f for f in doc["funding"] if f["source"] in FISCAL_SOURCES]
    other = [f for f in doc["funding"] if f["source"] not in FISCAL_SOURCES]
    return {
        "initial": _sum(doc["funding"], "initial"),
        "planned": _sum(doc["funding"], "planned"), "spent": _sum(doc["funding"], "spent"),
        "fiscal_initial": _sum(fiscal, "initial"),
        "fiscal_planned": _sum(fiscal, "planned"), "fiscal_spent": _sum(fiscal, "spent"),
        "other_initial": _sum(other, "initial"),
        "other_planned": _sum(other, "planned"), "other_spent": _sum(other, "spent"),
    }


def _leaf_rows(doc: dict[str, Any]) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """(ancestors, leaf) for every leaf, depth first."""
    rows = []

    def walk(nodes: list[dict[str, Any]], path: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("children"):
                walk(node["children"], [*path, node])
            else:
                rows.append((path, node))

    walk(doc["indicators"], [])
    return rows


def _label(node: dict[str, Any]) -> str:
    return f"{node['name']}（{format_decimal(Decimal(node['weight']))}）"


def _put(ws, row: int, col: int, value: Any, *, merge_to: int | None = None,  # noqa: ANN001
         align: Alignment = _WRAP, bold: bool = False, border: bool = True, fmt: str = ""):
    cell = ws.cell(row=row, column=col, value=value)
    cell.alignment = align
    if bold:
        cell.font = Font(bold=True)
    if fmt:
        cell.number_format = fmt
    last = merge_to or col
    if merge_to and merge_to > col:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=merge_to)
    if border:
        for c in range(col, last + 1):
            ws.cell(row=row, column=c).border = _BORDER
    return cell


def _box(ws, top: int, left: int, bottom: int, right: int) -> None:  # noqa: ANN001
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            ws.cell(row=r, column=c).border = _BORDER


def export_xlsx(evaluation: Evaluation) -> bytes:
    """The evaluation's 自评表 as .xlsx bytes, in the layout of its kind."""
    doc = export_document(evaluation)
    return export_document_xlsx(doc, evaluation_id=evaluation.id, version=evaluation.version,
                                template_key=evaluation.template_key or "")


def export_document_xlsx(doc: dict[str, Any], *, evaluation_id: int | None = None,
                         version: int | None = None, template_key: str = "") -> bytes:
    """A content document's 自评表 as .xlsx bytes (see the module docstring for the layout)."""
    layout = UNIT_WHOLE if doc["kind"] == UNIT_WHOLE else PROJECT
    headers = HEADERS[layout]
    ncols = len(headers)
    scores = score_document(doc)
    money = _funding_split(doc)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for col, width in zip("ABCDEFGH", (14, 16, 20, 40, 40, 8, 10, 30), strict=False):
        ws.column_dimensions[col].width = width if layout == UNIT_WHOLE or col not in "DE" \
            else 18
    title = "部门整体支出绩效自评表" if layout == UNIT_WHOLE else "项目支出绩效自评表"
    cell = _put(ws, 1, 1, title, merge_to=ncols, align=_CENTER, border=False)
    cell.font = Font(bold=True, size=16)
    row = 2
    if layout == UNIT_WHOLE:
        _put(ws, row, 1, f"填报单位：{doc['unit']['name']}", merge_to=5, border=False)
        _put(ws, row, 6, "单位：万元", merge_to=7, border=False)
        ws.merge_cells(start_row=3, start_column=1, end_row=6, end_column=1)
        _put(ws, 3, 1, "一、预算执行情况", align=_CENTER, border=False)
        _put(ws, 3, 2, "预算安排情况（调整后）", merge_to=3, align=_CENTER)
        _put(ws, 3, 4, "资金执行情况", merge_to=5, align=_CENTER)
        _put(ws, 3, 6, "预算执行率", merge_to=7, align=_CENTER)
        for r, (label, planned, spent) in enumerate((
            ("预算数：", money["planned"], money["spent"]),
            ("其中：财政资金", money["fiscal_planned"], money["fiscal_spent"]),
            ("其他", money["other_planned"], money["other_spent"]),
        ), 4):
            _put(ws, r, 2, label)
            _put(ws, r, 3, planned, fmt="0.00##")
            _put(ws, r, 4, "执行数：" if r == 4 else label)
            _put(ws, r, 5, spent, fmt="0.00##")
        ws.merge_cells(start_row=4, start_column=6, end_row=6, end_column=7)
        rate = (money["spent"] / money["planned"]) if money["planned"] else None
        _put(ws, 4, 6, rate, align=_CENTER, fmt="0%")
        _box(ws, 3, 1, 6, 7)
        _put(ws, 7, 1, "二、工作整体完成情况", merge_to=ncols, bold=True)
        row = 8
    else:
        _put(ws, 2, 1, f"（{doc['fiscal_year']}年度）", merge_to=ncols, align=_CENTER,
             border=False)
        _put(ws, 3, 1, "项目名称", merge_to=2)
        _put(ws, 3, 3, doc["project_name"], merge_to=ncols)
        _put(ws, 4, 1, "主管部门", merge_to=2)
        _put(ws, 4, 3, doc["unit"]["supervising_department"], merge_to=5)
        _put(ws, 4, 6, "实施单位", merge_to=6)
        _put(ws, 4, 7, doc["unit"]["name"], merge_to=ncols)
        ws.merge_cells(start_row=5, start_column=1, end_row=8, end_column=1)
        _put(ws, 5, 1, "项目资金（万元）", align=_CENTER)
        for col, label in enumerate(("", "年初预算数", "全年预算数", "全年执行数", "执行率"), 2):
            _put(ws, 5, col, label, align=_CENTER)
        for r, (label, key) in enumerate((("年度资金总额", ""), ("其中：本年财政拨款", "fiscal_"),
                                          ("其他资金", "other_")), 6):
            _put(ws, r, 2, label)
            _put(ws, r, 3, money[f"{key}initial"], fmt="0.00##")
            _put(ws, r, 4, money[f"{key}planned"], fmt="0.00##")
            _put(ws, r, 5, money[f"{key}spent"], fmt="0.00##")
            planned = money[f"{key}planned"]
            _put(ws, r, 6, money[f"{key}spent"] / planned if planned else None, fmt="0.00%")
        _box(ws, 5, 1, 8, ncols)
        _put(ws, 9, 1, "年度总体目标", merge_to=2)
        _put(ws, 9, 3, doc["overall_goal"], merge_to=ncols)
        row = 10
    header_row = row
    for col, text in enumerate(headers, 1):
        _put(ws, row, col, text, align=_CENTER, bold=True)
    row += 1
    first_leaf_row = row
    spans: dict[int, dict[str, tuple[int, int, str]]] = {0: {}, 1: {}}
    for path, leaf in _leaf_rows(doc):
        for depth, node in enumerate(path[:2]):
            key = node["code"]
            start, _end, text = spans[depth].get(key, (row, row, _label(node)))
            spans[depth][key] = (start, row, text)
        name_col = min(len(path), 2) + 1
        ws.cell(row=row, column=name_col, value=leaf["name"])
        if layout == UNIT_WHOLE:
            values = [leaf.get("description", ""), leaf.get("standard", "")]
        else:
            values = [leaf.get("target", ""), leaf.get("actual", "")]
        ws.cell(row=row, column=4, value=values[0])
        ws.cell(row=row, column=5, value=values[1])
        ws.cell(row=row, column=6, value=Decimal(leaf["weight"]))
        ws.cell(row=row, column=7, value=_d(leaf.get("score")))
        if layout == PROJECT:
            ws.cell(row=row, column=8, value=leaf.get("deviation_reason", ""))
        for col in range(1, ncols + 1):
            ws.cell(row=row, column=col).alignment = _WRAP
        row += 1
    for depth in (0, 1):
        for start, end, text in spans[depth].values():
            ws.cell(row=start, column=depth + 1, value=text).alignment = _CENTER
            if end > start:
                ws.merge_cells(start_row=start, start_column=depth + 1, end_row=end,
                               end_column=depth + 1)
    _box(ws, header_row, 1, row - 1, ncols)
    _put(ws, row, 1, "合计", merge_to=5, align=_CENTER, bold=True)
    _put(ws, row, 6, Decimal(doc["total_weight"]))
    _put(ws, row, 7, scores.entered_total)
    if layout == PROJECT:
        _put(ws, row, 8, f"评价等级：{scores.entered_grade}")
    total_row = row
    row += 1
    if layout == UNIT_WHOLE:
        deviation = next((s["body"] for s in doc["sections"] if s["key"] == DEVIATION_SECTION),
                         "")
        _put(ws, row, 1, DEVIATION_LABEL, merge_to=2)
        _put(ws, row, 3, deviation, merge_to=ncols)
        ws.row_dimensions[row].height = 45
        row += 1
    _put(ws, row, 1, f"填报人：{doc['preparer_name']}", merge_to=3, border=False)
    _put(ws, row, 4, f"联系电话：{doc['preparer_phone']}", merge_to=ncols, border=False)
    if doc.get("address") or doc.get("postcode"):
        row += 1
        _put(ws, row, 1, f"{ADDRESS_LABEL}{doc.get('address') or ''}", merge_to=3, border=False)
        _put(ws, row, 4, f"{POSTCODE_LABEL}{doc.get('postcode') or ''}", merge_to=ncols,
             border=False)

    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for key, value in (
        ("format", XLSX_FORMAT), ("format_version", XLSX_FORMAT_VERSION),
        ("evaluation_id", evaluation_id), ("version", version), ("kind", doc["kind"]),
        ("fiscal_year", doc["fiscal_year"]), ("template_key", template_key),
        ("project_name", doc["project_name"]), ("layout", layout),
        ("first_leaf_row", first_leaf_row), ("total_row", total_row),
        ("title_word", doc.get("title_word") or "self_evaluation"),
    ):
        meta.append([key, value])
    from workflow_app.security.spreadsheet import save_safely

    return save_safely(wb)


# --------------------------------------------------------------------------- reading


@dataclass
class SheetRow:
    """One indicator row read from the workbook."""

    row: int
    path: tuple[str, ...]
    weight: Decimal | None
    score: Decimal | None
    target: str | None = None
    actual: str | None = None
    deviation_reason: str | None = None
    unreadable: frozenset[str] = frozenset()  # "weight" / "score" already reported


@dataclass
class ParsedSheet:
    """What a 自评表 workbook says (values as read; not yet applied)."""

    layout: str
    meta: dict[str, Any]
    rows: list[SheetRow] = field(default_factory=list)
    unit_name: str = ""
    preparer_name: str | None = None
    preparer_phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    deviation: str | None = None
    funding: dict[str, Decimal | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # cell errors, reported by apply_sheet


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_decimal(Decimal(repr(value)))
    return str(value).strip()


def _number(value: Any, where: str, problems: list[str], places: int) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(f"{where}应为数字：{value}")
        return None
    try:
        # Excel stores numbers as binary floats; the shortest repr is what was typed.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(f"{where}不是有效的数字：{value}")
        return None
    if not number.is_finite() or number < 0:
        problems.append(f"{where}不是有效的数字：{value}")
        return None
    if number.normalize().as_tuple().exponent < -places:
        problems.append(f"{where}最多保留 {places} 位小数：{value}")
        return None
    return number.normalize() if number == number.to_integral_value() else number


def _strip_weight(text: str) -> str:
    return _WEIGHT_SUFFIX.sub("", text).strip()


def _read_grid(wb: Any, started: float) -> tuple[dict[str, Any], list[list[Any]]]:
    """The ``_meta`` key/values and the 自评表's rows, streamed under LIMITS."""
    names = wb.sheetnames
    meta: dict[str, Any] = {}
    if META_SHEET in names:
        for row in xlsx_guard.rows(wb[META_SHEET], LIMITS, started=started, clock=_clock):
            if row and row[0]:
                meta[str(row[0])] = row[1] if len(row) > 1 else None
    others = [n for n in names if n != META_SHEET]
    if not others:
        raise xlsx_guard.SpreadsheetRefused("工作簿中没有自评表工作表。")
    sheet = wb[SHEET if SHEET in names else others[0]]
    grid = list(xlsx_guard.rows(sheet, LIMITS, started=started, clock=_clock))
    return meta, grid


def read_xlsx(data: bytes) -> ParsedSheet:
    """Parse a 自评表 workbook; raise DocumentError (Chinese) when it cannot be read at all.

    Problems of single cells (a word where a number belongs …) do not stop the reading: they
    are kept in ``sheet.problems`` with their row and column, and ``apply_sheet`` reports them
    together with what it finds, so the user sees every error at once."""
    started = _clock()
    try:
        wb = xlsx_guard.open_workbook(data, LIMITS)
        try:
            meta, grid = _read_grid(wb, started)
        finally:
            wb.close()
    except xlsx_guard.SpreadsheetRefused as exc:
        raise DocumentError([exc.message]) from None
    if meta.get("format") not in (None, XLSX_FORMAT):
        raise DocumentError(["不是本系统导出的自评表（_meta 工作表格式不符）"])
    header_index = next((i for i, r in enumerate(grid[:40]) if r and _text(r[0]) == "一级指标"),
                        None)
    if header_index is None:
        raise DocumentError(["找不到“一级指标”表头：请使用本系统导出的自评表"])
    header = [_text(v) for v in grid[header_index]]
    layout = next((k for k, h in HEADERS.items() if header[:len(h)] == h), None)
    if layout is None:
        raise DocumentError([
            "表头不符：应为“" + "、".join(HEADERS[UNIT_WHOLE]) + "”（部门整体支出）或“"
            + "、".join(HEADERS[PROJECT]) + "”（项目支出）"])
    sheet = ParsedSheet(layout=layout, meta=meta)
    problems: list[str] = []

    def cell(r: list[Any], c: int) -> Any:
        return r[c] if c < len(r) else None

    for r in grid[:header_index]:
        first = _text(cell(r, 0))
        label = _text(cell(r, 1))
        if first.startswith("填报单位："):
            sheet.unit_name = first.removeprefix("填报单位：").strip()
        if layout == UNIT_WHOLE and label in ("预算数：", "其中：财政资金", "其他"):
            key = {"预算数：": "", "其中：财政资金": "fiscal_", "其他": "other_"}[label]
            sheet.funding[f"{key}planned"] = _number(cell(r, 2), f"预算执行情况“{label}”预算数",
                                                     problems, 4)
            sheet.funding[f"{key}spent"] = _number(cell(r, 4), f"预算执行情况“{label}”执行数",
                                                   problems, 4)
        if layout == PROJECT and label in ("年度资金总额", "其中：本年财政拨款", "其他资金"):
            key = {"年度资金总额": "", "其中：本年财政拨款": "fiscal_", "其他资金": "other_"}[label]
            for col, what in ((2, "initial"), (3, "planned"), (4, "spent")):
                sheet.funding[f"{key}{what}"] = _number(cell(r, col), f"项目资金“{label}”",
                                                        problems, 4)

    level1 = level2 = ""
    total_seen = False
    for index in range(header_index + 1, len(grid)):
        r = grid[index]
        line = index + 1
        first = _text(cell(r, 0))
        if first.startswith("合计"):
            total_seen = True
            continue
        if first.startswith("填报人"):
            sheet.preparer_name = first.split("：", 1)[-1].strip() if "：" in first else ""
            phone = _text(cell(r, 3))
            sheet.preparer_phone = phone.split("：", 1)[-1].strip() if "：" in phone else ""
            continue
        if first.startswith(ADDRESS_LABEL):
            sheet.address = first.removeprefix(ADDRESS_LABEL).strip()
            sheet.postcode = _text(cell(r, 3)).removeprefix(POSTCODE_LABEL).strip()
            continue
        if first.startswith(DEVIATION_LABEL[:6]) or "偏差和采取的措施" in first:
            sheet.deviation = _text(cell(r, 2))
            continue
        if total_seen:
            continue
        if not any(_text(v) for v in r):
            continue
        if first:
            level1, level2 = _strip_weight(first), ""
        second, third = _text(cell(r, 1)), _text(cell(r, 2))
        if third:
            if second:
                level2 = _strip_weight(second)
            path = tuple(p for p in (level1, level2, third) if p)
        elif second:
            path, level2 = (level1, second), ""
        else:
            problems.append(f"第 {line} 行没有指标名称")
            continue
        named = f"（{' / '.join(path)}）"
        before = len(problems)
        weight = _number(cell(r, 5), f"第 {line} 行 F 列{named}分值", problems, 2)
        bad = {"weight"} if len(problems) > before else set()
        before = len(problems)
        score = _number(cell(r, 6), f"第 {line} 行 G 列{named}得分", problems, 2)
        if len(problems) > before:
            bad.add("score")
        item = SheetRow(row=line, path=path, weight=weight, score=score,
                        unreadable=frozenset(bad))
        if layout == PROJECT:
            item.target = _text(cell(r, 3))
            item.actual = _text(cell(r, 4))
            item.deviation_reason = _text(cell(r, 7))
        sheet.rows.append(item)
    if not sheet.rows:
        problems.append("表中没有任何指标行")
        raise DocumentError(problems)
    sheet.problems = problems
    return sheet


# --------------------------------------------------------------------------- applying


def _path_of(ancestors: list[dict[str, Any]], leaf: dict[str, Any]) -> tuple[str, ...]:
    return tuple(n["name"].strip() for n in [*ancestors, leaf])


def apply_sheet(doc: dict[str, Any], sheet: ParsedSheet) -> dict[str, Any]:
    """A copy of `doc` with the workbook's values; DocumentError lists every mismatch."""
    kind = UNIT_WHOLE if doc["kind"] == UNIT_WHOLE else PROJECT
    if sheet.layout != kind:
        wanted = "部门整体支出" if kind == UNIT_WHOLE else "项目支出"
        raise DocumentError([f"这是{'部门整体支出' if sheet.layout == UNIT_WHOLE else '项目支出'}"
                             f"自评表，而评价是{wanted}评价"])
    doc = copy.deepcopy(doc)
    problems: list[str] = list(sheet.problems)  # every error at once, cell errors first
    leaves: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for ancestors, leaf in _leaf_rows(doc):
        leaves.setdefault(_path_of(ancestors, leaf), []).append(leaf)
    for item in sheet.rows:
        named = f"（{' / '.join(item.path)}）"
        candidates = leaves.get(item.path)
        if not candidates:
            problems.append(f"第 {item.row} 行 C 列{named}：评价中没有这个指标（Excel 导入只填写"
                            "指标值和得分，不能增删或改名指标）")
            continue
        leaf = candidates.pop(0)
        weight = Decimal(leaf["weight"])
        refused = bool(item.unreadable)
        if "weight" not in item.unreadable and (item.weight is None or item.weight != weight):
            stated = "（空）" if item.weight is None else format_decimal(item.weight)
            problems.append(f"第 {item.row} 行 F 列{named}：分值 {stated} 与评价中的 "
                            f"{format_decimal(weight)} 不一致（分值不能在 Excel 中修改）")
            refused = True
        if item.score is not None and item.score > weight:
            problems.append(f"第 {item.row} 行 G 列{named}：得分 {format_decimal(item.score)} "
                            f"超过分值 {format_decimal(weight)}")
            refused = True
        if refused:
            continue
        leaf["score"] = None if item.score is None else format_decimal(item.score)
        if kind == PROJECT:
            leaf["target"] = item.target or ""
            leaf["actual"] = item.actual or ""
            leaf["deviation_reason"] = item.deviation_reason or ""
    missing = [" / ".join(path) for path, rest in leaves.items() for _ in rest]
    if missing:
        problems.append("Excel 中缺少指标：" + "；".join(missing[:10])
                        + ("……" if len(missing) > 10 else ""))
    if sheet.preparer_name is not None:
        doc["preparer_name"] = sheet.preparer_name
    if sheet.preparer_phone is not None:
        doc["preparer_phone"] = sheet.preparer_phone
    if sheet.address is not None:
        doc["address"], doc["postcode"] = sheet.address, sheet.postcode or ""
    if sheet.meta.get("title_word") in ("self_evaluation", "evaluation"):
        doc["title_word"] = sheet.meta["title_word"]
    if sheet.deviation is not None and kind == UNIT_WHOLE:
        sections = doc["sections"]
        existing = next((s for s in sections if s["key"] == DEVIATION_SECTION), None)
        if existing is not None:
            existing["body"] = sheet.deviation
        elif sheet.deviation:
            sections.append({"key": DEVIATION_SECTION, "title": DEVIATION_TITLE,
                             "body": sheet.deviation})
    _apply_funding(doc, sheet, problems)
    if problems:
        raise DocumentError(problems)
    return doc


def _apply_funding(doc: dict[str, Any], sheet: ParsedSheet, problems: list[str]) -> None:
    """Write the sheet's budget figures back when they changed and the mapping is unambiguous.

    The table shows fiscal (中央 + 省级 + 市县) and other money; a changed figure is written to
    the one row of that group (a new 市县财政 / 其他 row when there is none, 到位数 = 预算数).
    """
    if not sheet.funding:
        return
    have = _funding_split(doc)
    for group, sources, default in (("fiscal_", FISCAL_SOURCES, "local"),
                                    ("other_", ("other",), "other")):
        wanted = {k: sheet.funding.get(f"{group}{k}") for k in ("initial", "planned", "spent")}
        changed = {k: v for k, v in wanted.items()
                   if v is not None and v != have[f"{group}{k}"]}
        if not changed:
            continue
        rows = [f for f in doc["funding"] if f["source"] in sources]
        label = "财政资金" if group == "fiscal_" else "其他资金"
        if len(rows) > 1:
            problems.append(f"{label}分属多个资金来源，不能从 Excel 修改，请在系统中修改资金情况")
            continue
        if not rows:
            row = {"source": default, "initial": None, "planned": "0", "arrived": "0",
                   "spent": "0"}
            doc["funding"].append(row)
            rows = [row]
        row = rows[0]
        for key, value in changed.items():
            row[key] = format_decimal(value)
        if "planned" in changed and (_d(row.get("arrived")) or 0) == 0:
            row["arrived"] = row["planned"]


# --------------------------------------------------------------------------- operations


def import_into(evaluation: Evaluation, data: bytes, actor: User) -> Evaluation:
    """Update a draft's indicator values and scores from a workbook (flushes, audits).

    A workbook exported by this system names its evaluation and version: another evaluation's
    workbook is refused, and so is one exported before the draft last changed (StaleVersion).
    """
    sheet = read_xlsx(data)
    exported_from = sheet.meta.get("evaluation_id")
    if exported_from not in (None, "") and int(exported_from) != evaluation.id:
        raise DocumentError([f"该 Excel 是从评价 {exported_from} 导出的，不能导入到评价 "
                             f"{evaluation.id}"])
    version = sheet.meta.get("version")
    expected = int(version) if version not in (None, "") else evaluation.version
    doc = apply_sheet(export_document(evaluation), sheet)
    return replace_content(evaluation, doc, actor, expected, source="xlsx")


def template_document(template_key: str, *, fiscal_year: int, unit_name: str,
                      supervising_department: str, project_name: str) -> dict[str, Any]:
    """An empty content document built from an indicator framework."""
    framework = load_framework(template_key)

    def leaves(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("children"):
                leaves(node["children"])
                continue
            node.setdefault("target", "")
            node.update({"actual": "", "score": None, "score_reason": "", "deviation_reason": "",
                         "not_applicable": False, "evidence": []})

    indicators = framework["indicators"]
    leaves(indicators)
    return {
        "schema": "jixiao-ziping/evaluation", "version": 1, "kind": framework["kind"],
        "fiscal_year": fiscal_year,
        "unit": {"name": unit_name, "supervising_department": supervising_department},
        "project_name": project_name, "project_leader": "", "project_leader_phone": "",
        "period_start": None, "period_end": None, "timing": "ex_post", "method": "self",
        "preparer_name": "", "preparer_phone": "", "report_date": None,
        "total_weight": framework["total_weight"], "grade_scheme": framework["grade_scheme"],
        "funding": [], "expenses": [], "sub_projects": [], "overall_goal": "",
        "indicators": indicators, "sections": [], "problems": "", "measures": "", "team": [],
    }


def create_from_xlsx(data: bytes, preparer: User, *, template_key: str | None = None,
                     fiscal_year: int | None = None,
                     project_name: str | None = None) -> Evaluation:
    """A new draft in the preparer's unit from a filled-in workbook and an indicator template.

    The template is `template_key`, else the one the workbook was exported from, else the
    standard one of the workbook's layout; the year and project name likewise come from the
    arguments or the workbook's `_meta` sheet.
    """
    sheet = read_xlsx(data)
    key = template_key or sheet.meta.get("template_key") or DEFAULT_TEMPLATE[sheet.layout]
    if key not in FRAMEWORKS:
        raise DocumentError([f"未知的指标模板“{key}”；可用模板：{'、'.join(FRAMEWORKS)}"])
    year = fiscal_year or sheet.meta.get("fiscal_year")
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    if year is None:
        raise DocumentError(["请指定评价年度（该 Excel 未记录年度）"])
    unit = preparer.unit
    name = project_name or sheet.meta.get("project_name") or (
        f"{unit.name}{year}年度整体支出" if sheet.layout == UNIT_WHOLE else "")
    if not name:
        raise DocumentError(["请指定项目名称（该 Excel 未记录项目名称）"])
    doc = template_document(key, fiscal_year=year, unit_name=unit.name,
                            supervising_department=unit.supervising_department or "",
                            project_name=str(name))
    doc["preparer_name"] = preparer.name
    doc["preparer_phone"] = preparer.phone or ""
    doc = apply_sheet(doc, sheet)
    validate_document(doc)
    return create_from_document(doc, unit_id=preparer.unit_id, preparer=preparer,
                                template_key=key)
