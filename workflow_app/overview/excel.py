"""The 汇总表 as an Excel workbook (openpyxl, write-only): the per-unit progress and the list of
submitted evaluations with their stored scores. A text cell beginning with = + - @ is written
as text, never as a formula (a unit or project name cannot run in the reader's Excel)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from workflow_app.evaluations.models import EvaluationKind
from workflow_app.overview import queries
from workflow_app.workflow.states import EvaluationState

FORMULA_START = ("=", "+", "-", "@")


def _cell(ws: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, Decimal):
        value = float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # text, not a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def summary_workbook(bureau_name: str, bureau_id: int, year: int, today: date) -> bytes:
    """The workbook's bytes."""
    data = queries.overview(bureau_id, year, today)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报送进度")
    ws.append([_cell(ws, f"{bureau_name} {year} 年度绩效自评汇总表", bold=True)])
    ws.append([_cell(ws, f"截止日期：{data.due_on or '未设置'}；生成日期：{today}")])
    head = ["单位", "编制中", "待验收", "已验收", "已公开", "已报送合计", "逾期"]
    ws.append([_cell(ws, h, bold=True) for h in head])
    for u in [*data.units, data.totals]:
        ws.append([_cell(ws, v) for v in (u.name, u.in_progress, u.submitted, u.accepted,
                                          u.published, u.delivered, u.overdue)])
    ws2 = wb.create_sheet("评价明细")
    head2 = ["单位", "项目名称", "类型", "状态", "自评得分", "系统计算得分", "需人工判断项",
             "等级"]
    ws2.append([_cell(ws2, h, bold=True) for h in head2])
    for unit, name, kind, state, self_total, computed, open_leaves, grade, _id in \
            queries.summary_rows(bureau_id, year):
        ws2.append([_cell(ws2, v) for v in (
            unit, name, EvaluationKind(kind).label, EvaluationState(state).label,
            self_total if self_total is not None else "未计算",
            computed if computed is not None else "未计算",
            open_leaves if open_leaves is not None else "", grade or "")])
    ws3 = wb.create_sheet("等级分布")
    ws3.append([_cell(ws3, "等级", bold=True), _cell(ws3, "数量", bold=True)])
    for grade, count in data.grades:
        ws3.append([_cell(ws3, grade), _cell(ws3, count)])
    if data.ungraded:
        ws3.append([_cell(ws3, "未计算"), _cell(ws3, data.ungraded)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
