"""Reading an uploaded .xlsx without letting it exhaust the server (issue 9 item 9).

A workbook is a zip of XML parts; openpyxl inflates the shared strings and styles whole when
it opens one, and a normal (not read-only) load keeps every cell in memory. A 9.5 MB crafted
file once took every worker down. So, in this order:

1. ``check_archive``: the upload's size, then the zip's *declared* uncompressed sizes — of
   each part and in total — and the number of sheets, before openpyxl touches it. Python's
   zipfile never inflates a member past its declared size (it fails the CRC), so the declared
   sizes bound what openpyxl can read: a zip bomb is refused from its directory alone.
2. ``open_workbook``: openpyxl in ``read_only`` mode (rows are parsed as they are iterated).
3. ``rows``: rows, columns and cell length counted while iterating, formula cells refused, and
   a time budget; the first excess stops the reading with a Chinese ``SpreadsheetRefused``.

Callers turn the refusal into their own error type; since nothing has been applied yet,
nothing is saved.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

_SHEET_PART = re.compile(r"^xl/(worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml$",
                         re.IGNORECASE)


class SpreadsheetRefused(ValueError):
    """The upload is not a workbook this server will read (Chinese message)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class XlsxLimits:
    """What one import may contain. Sizes in bytes, time in seconds."""

    max_bytes: int = 10 * 1024 * 1024
    max_part_bytes: int = 20 * 1024 * 1024  # one XML part (a sheet, the shared strings) inflated
    max_unpacked: int = 60 * 1024 * 1024  # all parts inflated
    max_members: int = 500
    max_sheets: int = 10
    max_rows: int = 5_000
    max_columns: int = 30
    max_cell_chars: int = 20_000
    time_budget_s: float = 20.0


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}".rstrip("0").rstrip(".")


def check_archive(data: bytes, limits: XlsxLimits) -> None:
    """Refuse an upload that is empty, too large, not an .xlsx, a zip bomb or has too many
    sheets — from its size and zip directory only (nothing is inflated)."""
    if not data:
        raise SpreadsheetRefused("文件为空，请选择要导入的 Excel 文件（.xlsx）。")
    if len(data) > limits.max_bytes:
        raise SpreadsheetRefused(
            f"文件过大（{_mb(len(data))} MB），最大 {_mb(limits.max_bytes)} MB。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise SpreadsheetRefused("文件不是有效的 Excel 工作簿（.xlsx），或已损坏。") from None
    if any(info.file_size > limits.max_part_bytes for info in infos) or \
            sum(info.file_size for info in infos) > limits.max_unpacked:
        raise SpreadsheetRefused("文件解压后过大，疑似异常文件，已拒绝。")
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise SpreadsheetRefused("文件不是有效的 Excel 工作簿（.xlsx），或已损坏。")
    if len(infos) > limits.max_members:
        raise SpreadsheetRefused("文件结构异常（包含的部件过多），已拒绝。")
    sheets = sum(1 for info in infos if _SHEET_PART.match(info.filename))
    if sheets > limits.max_sheets:
        raise SpreadsheetRefused(
            f"工作簿中的工作表过多（{sheets} 个），最多 {limits.max_sheets} 个。")


def open_workbook(data: bytes, limits: XlsxLimits) -> Any:
    """``check_archive``, then the workbook in openpyxl's read-only mode (formulas kept as
    formulas, so ``rows`` can refuse them). The caller closes it."""
    check_archive(data, limits)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, lxml errors…)
        raise SpreadsheetRefused("无法读取该 Excel 文件（文件已损坏或不是 .xlsx）。") from None


def rows(sheet: Any, limits: XlsxLimits, *, started: float | None = None,
         clock: Callable[[], float] = time.monotonic) -> Iterator[list[Any]]:
    """The sheet's rows as lists of at most ``max_columns`` values, checked while reading:
    too many rows, a value beyond the last allowed column, a formula, a NUL byte or an
    over-long cell stop it with SpreadsheetRefused. ``started`` is when the import began."""
    name = sheet.title
    started = clock() if started is None else started
    width = limits.max_columns
    # The sheet's declared extent (<dimension>): a table wider than allowed is refused before
    # reading; cells past it that the declaration hides are never read (max_col below).
    declared = getattr(sheet, "max_column", None)
    if isinstance(declared, int) and declared > width:
        raise SpreadsheetRefused(f"工作表“{name}”有 {declared} 列，超出范围：最多 {width} 列。")
    for number, cells in enumerate(sheet.iter_rows(max_col=width + 1), 1):
        if number > limits.max_rows:
            raise SpreadsheetRefused(f"工作表“{name}”超过 {limits.max_rows} 行，已拒绝。")
        if number % 200 == 0 and clock() - started > limits.time_budget_s:
            raise SpreadsheetRefused(f"读取 Excel 超过 {limits.time_budget_s:.0f} 秒，已停止；"
                                     "请缩小文件后重试。")
        values: list[Any] = []
        for index, cell in enumerate(cells):
            value = cell.value
            if value is None:
                values.append(None)
                continue
            where = f"工作表“{name}”第 {number} 行 {get_column_letter(index + 1)} 列"
            if index >= width:
                raise SpreadsheetRefused(f"{where}超出范围：最多 {width} 列。")
            if getattr(cell, "data_type", None) == "f":
                raise SpreadsheetRefused(f"{where}是公式，请改为直接填写数值或文字。")
            if isinstance(value, str):
                if len(value) > limits.max_cell_chars:
                    raise SpreadsheetRefused(f"{where}内容过长（{len(value)} 个字符，"
                                             f"最多 {limits.max_cell_chars} 个）。")
                if "\x00" in value:
                    raise SpreadsheetRefused(f"{where}含有不可见的空字符（NUL）。")
            values.append(value)
        yield values[:width]
