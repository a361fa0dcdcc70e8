"""Bulk import of units and users from an Excel workbook, with a dry run.

A province has thousands of units and users; the administrator fills in the workbook from
``directory_template()`` (sheets 单位 and 用户) and uploads it. Every row goes through the same
checks as the admin forms (the form's field validators, then ``save_unit`` / ``save_user``),
each in its own savepoint, so one bad row is reported with its sheet, row and column and the
others still count. A dry run reports what would happen and changes nothing (the caller rolls
back); an import commits what was valid. New users get a random initial password, shown once
in the report.

The workbook is read in openpyxl's read-only (streaming) mode with limits on the file size,
the unpacked size, the rows, columns and cell lengths and a time budget, so a hostile file is
refused rather than allowed to exhaust a worker.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from workflow_app.admin import operations as admin_ops
from workflow_app.auth.models import User
from workflow_app.evaluations.operations import OperationError, ValidationFailed
from workflow_app.extensions import db
from workflow_app.security import xlsx_guard
from workflow_app.security.xlsx_guard import XlsxLimits
from workflow_app.units.models import Unit, UnitKind

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 60 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 30
MAX_CELL = 500
# Reading and applying must end well inside the server's request timeout (gunicorn: 60 s).
TIME_BUDGET_S = 45.0
# Checked from the zip directory and while streaming (workflow_app.security.xlsx_guard); the
# header row counts as a row. Cells are read up to 2,000 characters, mapped ones up to MAX_CELL.
LIMITS = XlsxLimits(max_bytes=MAX_BYTES, max_part_bytes=40 * 1024 * 1024,
                    max_unpacked=MAX_UNPACKED, max_sheets=5, max_rows=MAX_ROWS + 1,
                    max_columns=MAX_COLUMNS, max_cell_chars=2_000, time_budget_s=TIME_BUDGET_S)
_clock = time.monotonic  # the budget's clock (a test moves it)

# Sheet → [(header, key, required)], in the order of the template's columns.
UNIT_COLUMNS = [("单位名称", "name", True), ("单位类型", "kind", True),
                ("监管财政局", "bureau", False), ("简称", "short_name", False),
                ("主管部门", "supervising_department", False)]
USER_COLUMNS = [("用户名", "username", True), ("姓名", "name", True),
                ("所属单位", "unit", True), ("角色", "roles", False), ("职务", "position", False),
                ("职称", "title", False), ("电话", "phone", False), ("电子邮箱", "email", False)]
SHEETS = {"单位": UNIT_COLUMNS, "用户": USER_COLUMNS}

KIND_WORDS = {"预算单位": UnitKind.BUDGET_UNIT, "财政局": UnitKind.FINANCE_BUREAU,
              "财政部门": UnitKind.FINANCE_BUREAU}
# Working roles an import may give; administrator roles are granted one by one (三员分立).
ROLE_WORDS = {"填报人": "is_preparer", "财政局审核员": "is_finance_officer",
              "财政审核员": "is_finance_officer"}
_ROLE_SPLIT = str.maketrans({c: "、" for c in ",，;；/ "})


class ImportRefused(OperationError):
    """The workbook as a whole cannot be read (size, format, limits); nothing was changed."""


@dataclass
class RowProblem:
    """One problem of one row: sheet, Excel row number, column header, Chinese message."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did (or a dry run would do)."""

    dry_run: bool
    created: dict[str, int] = field(default_factory=lambda: {"单位": 0, "用户": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"单位": 0, "用户": 0})
    problems: list[RowProblem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: {"单位": 0, "用户": 0})
    # (username, name, initial password): only for new users of a real import.
    passwords: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def failed_rows(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems})

    def summary(self) -> str:
        """One Chinese sentence: what was (or would be) created, updated and skipped."""
        verb = "检查完毕：将" if self.dry_run else "已导入："
        return (f"{verb}新建单位 {self.created['单位']} 个、用户 {self.created['用户']} 个，"
                f"更新单位 {self.updated['单位']} 个、用户 {self.updated['用户']} 个；"
                f"{self.failed_rows} 行有误{'，导入时将跳过' if self.dry_run else '，未导入'}。")

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON (the API's answer), without the initial passwords."""
        return {"dry_run": self.dry_run, "summary": self.summary(), "rows": self.rows,
                "created": self.created, "updated": self.updated, "failed_rows": self.failed_rows,
                "problems": [p.__dict__ for p in self.problems]}


def directory_template() -> bytes:
    """The workbook to fill in: both sheets with their headers and one example row each."""
    book = Workbook()
    units = book.active
    units.title = "单位"
    units.append([h for h, _, _ in UNIT_COLUMNS])
    units.append(["某县教育局", "预算单位", "某县财政局", "教育局", "某县人民政府"])
    users = book.create_sheet("用户")
    users.append([h for h, _, _ in USER_COLUMNS])
    users.append(["zhangsan", "张三", "某县教育局", "填报人", "科员", "", "0311-1234567", ""])
    for sheet in (units, users):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_directory(data: bytes) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """The rows of each sheet as ``(Excel row number, {key: text})``; refuses what is too big,
    not a workbook, or lacks a required column."""
    if not data:
        raise ImportRefused("请选择要导入的 Excel 文件（.xlsx）。")
    started = _clock()
    try:
        book = xlsx_guard.open_workbook(data, LIMITS)
        try:
            found = [name for name in SHEETS if name in book.sheetnames]
            if not found:
                raise ImportRefused("工作簿中没有名为“单位”或“用户”的工作表，"
                                    "请使用本页提供的模板。")
            return {name: list(_sheet_rows(book[name], name, started)) for name in found}
        finally:
            book.close()
    except xlsx_guard.SpreadsheetRefused as exc:
        raise ImportRefused(exc.message) from None


def _sheet_rows(sheet: Any, name: str, started: float) -> Iterator[tuple[int, dict[str, str]]]:
    columns = SHEETS[name]
    header_at: dict[str, int] = {}
    stream = xlsx_guard.rows(sheet, LIMITS, started=started, clock=_clock)
    for number, values in enumerate(stream, 1):
        cells = ["" if v is None else str(v).strip() for v in values]
        if number == 1:
            header_at = {text: i for i, text in enumerate(cells) if text}
            missing = [h for h, _, required in columns if required and h not in header_at]
            if missing:
                raise ImportRefused(f"工作表“{name}”缺少列：{'、'.join(missing)}。")
            continue
        if not any(cells):
            continue
        row: dict[str, str] = {}
        for header, key, _ in columns:
            i = header_at.get(header)
            text = cells[i] if i is not None and i < len(cells) else ""
            if len(text) > MAX_CELL or "\x00" in text:
                raise ImportRefused(f"工作表“{name}”第 {number} 行“{header}”内容过长或含非法字符。")
            row[key] = text
        yield number, row


def import_directory(actor: User, data: bytes, *, dry_run: bool) -> ImportReport:
    """Apply the workbook's units, then its users; per-row problems go into the report.

    A dry run undoes every row again (the report says what an import would do); either way
    the run is audited. Never commits: the caller does.
    """
    started = _clock()
    sheets = read_directory(data)
    report = ImportReport(dry_run=dry_run)
    everything = db.session.begin_nested()  # a dry run undoes it all, the audit event stays
    work = [("单位", number, row, UNIT_COLUMNS, lambda r=row: _save_unit(actor, r))
            for number, row in sheets.get("单位", [])]
    work += [("用户", number, row, USER_COLUMNS, lambda r=row: _save_user(actor, r, report))
             for number, row in sheets.get("用户", [])]
    for sheet, number, _row, columns, save in work:
        if _clock() - started > TIME_BUDGET_S:
            everything.rollback()  # all or nothing: never a half-imported file
            done = sum(report.rows.values())
            raise ImportRefused(f"处理超过 {TIME_BUDGET_S:.0f} 秒（已处理 {done} 行），"
                                "未导入任何内容；请分批导入，每批建议不超过 2000 行。")
        report.rows[sheet] += 1
        _apply(report, sheet, number, columns, save)
    if dry_run:
        everything.rollback()
    else:
        everything.commit()
    admin_ops._audit(actor, "directory", "dry_run" if dry_run else "import", 0,
                     sha256=hashlib.sha256(data).hexdigest(), rows=report.rows,
                     created=report.created, updated=report.updated,
                     failed_rows=report.failed_rows)
    return report


def _apply(report: ImportReport, sheet: str, number: int, columns: list, save: Any) -> None:
    savepoint = db.session.begin_nested()
    try:
        created = save()
    except ValidationFailed as exc:
        savepoint.rollback()
        headers = {key: header for header, key, _ in columns}
        headers.update({"bureau_id": headers.get("bureau", "监管财政局"),
                        "unit_id": headers.get("unit", "所属单位"), "is_preparer": "角色",
                        "is_finance_officer": "角色", "password": "初始密码"})
        for key, message in exc.errors.items():
            report.problems.append(RowProblem(sheet, number, headers.get(key, key), message))
    else:
        savepoint.commit()
        (report.created if created else report.updated)[sheet] += 1


def _form_errors(form_class: type, data: dict[str, Any]) -> dict[str, str]:
    """Run an admin form's own field validators over a row (no CSRF: not a browser post)."""
    form = form_class(formdata=MultiDict({k: v for k, v in data.items() if v not in (None, "")}),
                      meta={"csrf": False})
    if hasattr(form, "unit_id"):
        form.unit_id.choices = [(str(data.get("unit_id") or ""), "")]
    if hasattr(form, "bureau_id"):
        form.bureau_id.choices = [(str(data.get("bureau_id") or ""), "")]
    form.validate()
    return {name: errors[0] for name, errors in form.errors.items()
            if errors and isinstance(errors, list) and isinstance(errors[0], str)}


def _unit_named(name: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.name == name)) if name else None


def _save_unit(actor: User, row: dict[str, str]) -> bool:
    from workflow_app.admin.forms import UnitForm

    errors: dict[str, str] = {}
    kind = KIND_WORDS.get(row["kind"])
    if kind is None:
        errors["kind"] = f"单位类型应为“预算单位”或“财政局”（而非“{row['kind']}”）"
    bureau = _unit_named(row["bureau"])
    if row["bureau"] and (bureau is None or not bureau.is_bureau):
        errors["bureau"] = f"找不到名为“{row['bureau']}”的财政局（可在同一文件中先列出它）"
    data = {"name": row["name"], "kind": (kind or UnitKind.BUDGET_UNIT).value,
            "bureau_id": str(bureau.id) if bureau is not None and bureau.is_bureau else "",
            "short_name": row["short_name"],
            "supervising_department": row["supervising_department"]}
    errors = {**_form_errors(UnitForm, data), **errors}
    if errors:
        raise ValidationFailed(errors)
    existing = _unit_named(row["name"])
    admin_ops.save_unit(actor, existing, data)
    return existing is None


def initial_password() -> str:
    """A random 12-character password with upper and lower case letters and digits."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(12))
        if (any(c.islower() for c in candidate) and any(c.isupper() for c in candidate)
                and any(c.isdigit() for c in candidate)):
            return candidate


def _save_user(actor: User, row: dict[str, str], report: ImportReport) -> bool:
    from workflow_app.admin.forms import UserForm

    errors: dict[str, str] = {}
    unit = _unit_named(row["unit"])
    if unit is None:
        errors["unit"] = f"找不到名为“{row['unit']}”的单位（可在“单位”工作表中一并导入）"
    roles = {}
    for word in filter(None, row["roles"].translate(_ROLE_SPLIT).split("、")):
        if word not in ROLE_WORDS:
            errors["roles"] = (f"角色“{word}”不能批量授予：批量导入只能授予填报人、财政局审核员，"
                               "管理员角色由安全管理员逐一授予")
        else:
            roles[ROLE_WORDS[word]] = "y"
    existing = db.session.scalar(select(User).where(User.username == row["username"]))
    password = "" if existing is not None else initial_password()
    data = {"username": row["username"], "name": row["name"],
            "unit_id": str(unit.id) if unit is not None else "", "position": row["position"],
            "title": row["title"], "phone": row["phone"], "email": row["email"],
            "password": password, "active": "y", **roles}
    if existing is not None:  # an update keeps the account's other roles and state
        data["active"] = "y" if existing.active else ""
        data["is_admin"] = "y" if existing.is_admin else ""
    errors = {**_form_errors(UserForm, data), **errors}
    if errors:
        raise ValidationFailed(errors)
    saved = admin_ops.save_user(actor, existing, data)
    if existing is None and not report.dry_run:
        report.passwords.append((saved.username, saved.name, password))
    return existing is None
