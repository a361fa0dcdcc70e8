"""Spreadsheets the app writes never contain live formulas (CSV/Excel injection).

openpyxl turns any string starting with ``=`` into a formula; Excel and WPS also evaluate
cells starting with ``+ - @`` when a user edits them. The app's exports contain no formulas
of their own, so every such cell is written as plain text (type ``s``) before saving.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@")


def defuse(workbook: Workbook) -> int:
    """Mark every formula-like string cell of every sheet as text; return how many."""
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    changed += 1
    return changed


def save_safely(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, with formula-like text defused."""
    defuse(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
