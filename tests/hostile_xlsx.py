"""Hostile .xlsx files built in the test (issue 9 item 9): each is refused before it can
exhaust a worker. Shared by the exchange, admin and security tests."""

from __future__ import annotations

import io
import os
import zipfile

from openpyxl import Workbook, load_workbook

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def save(wb: Workbook) -> bytes:
    """The workbook as bytes (openpyxl's own writer: formulas stay formulas)."""
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _skeleton(sheet_name: str = "Sheet1") -> dict[str, bytes]:
    """The parts of a one-sheet workbook, from openpyxl (so openpyxl would open it)."""
    wb = Workbook()
    wb.active.title = sheet_name
    wb.active["A1"] = "x"
    with zipfile.ZipFile(io.BytesIO(save(wb))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(parts: dict[str, bytes], big_name: str, chunks, *,  # noqa: ANN001
           compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name != big_name:
                archive.writestr(name, data)
        info = zipfile.ZipInfo(big_name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = compress
        with archive.open(info, "w", force_zip64=True) as handle:
            for chunk in chunks:
                handle.write(chunk)
    return out.getvalue()


def huge_sheet(target_bytes: int = int(9.5 * 1024 * 1024)) -> bytes:
    """A valid workbook of about ``target_bytes`` whose one sheet (stored, not compressed)
    has about a hundred thousand rows of random text."""
    parts = _skeleton()
    sheet = "xl/worksheets/sheet1.xml"

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode()
        written, row = 0, 0
        while written < target_bytes - 20_000:
            lines = []
            for _ in range(1000):
                row += 1
                lines.append(f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>'
                             f'{os.urandom(16).hex()}</t></is></c></row>')
            data = "".join(lines).encode()
            written += len(data)
            yield data
        yield b"</sheetData></worksheet>"

    return _rezip(parts, sheet, chunks(), compress=zipfile.ZIP_STORED)


def zip_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A small file (a few hundred KB) whose sheet XML inflates to ``inflated`` bytes."""
    parts = _skeleton()
    sheet = "xl/worksheets/sheet1.xml"
    row = b'<row r="1"><c r="A1"><v>1</v></c></row>'

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode()
        block = row * (1024 * 1024 // len(row))
        for _ in range(inflated // len(block)):
            yield block
        yield b"</sheetData></worksheet>"

    return _rezip(parts, sheet, chunks())


def many_sheets(count: int = 40) -> bytes:
    """A workbook of ``count`` small sheets."""
    wb = Workbook()
    for i in range(count - 1):
        wb.create_sheet(f"表{i}")["A1"] = i
    return save(wb)


def not_a_workbook() -> bytes:
    """A PDF's first bytes under an .xlsx name, and then a zip that is not a workbook."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" * 100


def zip_but_not_xlsx() -> bytes:
    """A valid zip without the parts of a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def with_cell(data: bytes, sheet: str | None, cell: str, value: object) -> bytes:
    """The workbook ``data`` with one cell set (a string starting with '=' is a formula)."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.worksheets[0]
    ws[cell] = value
    return save(wb)
