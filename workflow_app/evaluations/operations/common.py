"""What every content edit shares: the refusals and the edit pattern.

Every edit follows one pattern: `_begin` refuses a non-draft evaluation, a user who may not
edit it and a stale form (the version it was based on is not the current one); the input is
validated completely (`_Check` collects one Chinese message per form field); `_touch` then
bumps the evaluation's version, so a concurrent editor who passed the same check loses at
flush instead of overwriting silently; the change is applied; `_done` flushes and writes the
audit event. Nothing is half-saved.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState


class OperationError(ValueError):
    """An operation was refused; the message is shown to the user as it is (Chinese)."""



STALE_MESSAGE = (
    "该评价已被他人修改（您打开的是第 {expected} 版，当前为第 {current} 版），"
    "您的修改未保存。请刷新页面后重新填写。"
)


class ValidationFailed(OperationError):
    """Input refused; `errors` maps each form field name to its Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class StaleVersion(OperationError):
    """The form was based on an older version of the evaluation."""


class EditNotAllowed(OperationError):
    """The evaluation is not in draft, or the user may not edit it."""


def _begin(evaluation: Evaluation, actor: User, expected_version: Any) -> None:
    from workflow_app.evaluations.access import can_edit_content

    if evaluation.state != EvaluationState.DRAFT:
        raise EditNotAllowed(
            f"该评价当前处于“{evaluation.state.label}”状态，只有草稿可以修改内容。"
        )
    if not can_edit_content(actor, evaluation):
        raise EditNotAllowed("您无权修改该评价的内容（仅本单位的填报人可以修改草稿）。")
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = -1
    if expected != evaluation.version:
        raise StaleVersion(STALE_MESSAGE.format(expected=expected if expected > 0 else "?",
                                                current=evaluation.version))


def _touch(evaluation: Evaluation) -> None:
    """Called once the input is valid: writing the row takes its lock (PostgreSQL) and bumps
    `version`, so a concurrent save based on the same version fails here (StaleDataError)
    instead of overwriting; before this point a refused edit has changed nothing."""
    evaluation.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(STALE_MESSAGE.format(expected="?", current="更新的版本")) from None


def _done(evaluation: Evaluation, actor: User, part: str, **detail: Any) -> None:
    from workflow_app.evaluations import derived

    if part not in derived.UNSCORED_PARTS:
        derived.store_from_working_copy(evaluation)  # the lists show the draft's score
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(STALE_MESSAGE.format(expected="?", current="更新的版本")) from None
    trail.record("edit", actor, evaluation_id=evaluation.id, role="preparer",
                 from_state=evaluation.state.value, to_state=evaluation.state.value,
                 detail={"part": part, "revision": evaluation.revision_number, **detail})


class _Check:
    """Parses form values (strings) and collects one Chinese message per bad field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    def text(self, data: dict, key: str, label: str, *, field: str | None = None,
             required: bool = False, max_len: int | None = None, multiline: bool = False) -> str:
        field = field or key
        value = data.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, f"“{label}”应为文本")
            return ""
        value = value.replace("\r\n", "\n") if multiline else value.strip()
        if required and not value.strip():
            self.fail(field, f"请填写{label}")
        if max_len and len(value) > max_len:
            self.fail(field, f"“{label}”不能超过 {max_len} 个字（现有 {len(value)} 个字）")
        return value

    def decimal(self, data: dict, key: str, label: str, *, field: str | None = None,
                required: bool = False, places: int = 4,
                maximum: Decimal | None = None) -> Decimal | None:
        field = field or key
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, f"请填写{label}")
            return None
        if isinstance(value, bool | float):
            self.fail(field, f"“{label}”须为十进制数字")
            return None
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.fail(field, f"“{label}”不是有效的数字：{value}")
            return None
        if not number.is_finite():
            self.fail(field, f"“{label}”不是有效的数字：{value}")
            return None
        if number < 0:
            self.fail(field, f"“{label}”不能为负数")
        elif number.as_tuple().exponent < -places:
            self.fail(field, f"“{label}”最多保留 {places} 位小数")
        elif abs(number) >= Decimal(10) ** (12 if places == 4 else 5):
            self.fail(field, f"“{label}”数值过大")
        elif maximum is not None and number > maximum:
            self.fail(field, f"“{label}” {number.normalize():f} 超过上限 "
                             f"{maximum.normalize():f}")
        return number

    def day(self, data: dict, key: str, label: str, *, field: str | None = None) -> date | None:
        field = field or key
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(field, f"“{label}”不是有效日期（格式 年-月-日，如 2024-12-31）")
            return None

    def choice(self, data: dict, key: str, label: str, enum_cls: type, *,
               field: str | None = None):  # noqa: ANN201
        field = field or key
        value = data.get(key)
        try:
            return enum_cls(value)
        except ValueError:
            self.fail(field, f"请选择{label}")
            return None



def _rows(rows: Any) -> list[dict[str, Any]]:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValidationFailed({"rows": "提交的表格格式不正确"})
    # A row left completely empty in the form is not a row.
    return [r for r in rows if any(str(v or "").strip() for k, v in r.items() if k != "id")]
