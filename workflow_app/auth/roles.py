"""三员分立: who may do what among the administrators, and the one operation that changes roles.

- 系统管理员 (``is_admin``): units, user accounts (with their business roles 填报人 and
  财政局审核员, which are organisation data), indicator templates, grade schemes;
- 安全管理员 (``is_security_admin``): role grants (the three administrator roles only by
  them), unlocking accounts, password resets;
- 审计管理员 (``is_audit_admin``): reads and exports the audit log, runs the integrity check.

None of them prepares, signs or accepts an evaluation (the workflow machine refuses them, and
the database refuses a user holding two of these roles or one of them with 填报人/财政局审核员).
Nobody changes their own roles; every change is audited with the roles before and after.
"""

from __future__ import annotations

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.evaluations.operations import ValidationFailed
from workflow_app.extensions import db

# role key → (column, Chinese label)
ROLES: dict[str, tuple[str, str]] = {
    "preparer": ("is_preparer", "填报人"),
    "finance_officer": ("is_finance_officer", "财政局审核员"),
    "admin": ("is_admin", "系统管理员"),
    "security_admin": ("is_security_admin", "安全管理员"),
    "audit_admin": ("is_audit_admin", "审计管理员"),
}
ADMIN_ROLES = ("admin", "security_admin", "audit_admin")


def can_administer_system(user: User) -> bool:
    """Units, user accounts, templates and grade schemes."""
    return bool(user.is_authenticated and user.is_admin)


def can_manage_security(user: User) -> bool:
    """Role grants, unlocking accounts, password resets."""
    return bool(user.is_authenticated and user.is_security_admin)


def can_read_audit(user: User) -> bool:
    """Reading and exporting the audit log, running the integrity check."""
    return bool(user.is_authenticated and user.is_audit_admin)


def roles_of(user: User) -> dict[str, bool]:
    """The user's roles as {role key: held}."""
    return {key: bool(getattr(user, column)) for key, (column, _label) in ROLES.items()}


def role_problems(user: User, wanted: dict[str, bool]) -> dict[str, str]:
    """Why a set of roles cannot be held by this user (field → Chinese message)."""
    errors: dict[str, str] = {}
    admin_roles = [r for r in ADMIN_ROLES if wanted.get(r)]
    if len(admin_roles) > 1:
        errors[admin_roles[1]] = "三员分立：系统管理员、安全管理员、审计管理员须由不同的人担任"
    if admin_roles and (wanted.get("preparer") or wanted.get("finance_officer")):
        errors[admin_roles[0]] = ("管理员不能同时担任填报人或财政局审核员"
                                  "（不得参与编制、会签、验收）")
    if wanted.get("finance_officer") and not user.unit.is_bureau:
        errors["finance_officer"] = "财政局审核员须属于财政局"
    if wanted.get("preparer") and user.unit.is_bureau:
        errors["preparer"] = "填报人须属于预算单位"
    return errors


BUSINESS_ROLES = ("preparer", "finance_officer")


def set_business_roles(actor: User, user: User, wanted: dict[str, bool]) -> bool:
    """The system administrator keeps the business roles (填报人, 财政局审核员) of the accounts
    they manage; the administrator roles stay as they are. Never one's own; audited with
    before and after. Returns False when nothing changed."""
    if not (actor.is_admin or actor.is_security_admin):
        raise ValidationFailed({"roles": "只有系统管理员或安全管理员可以设置业务角色"})
    current = roles_of(user)
    target = {**current, **{k: bool(wanted.get(k)) for k in BUSINESS_ROLES}}
    if target == current:
        return False
    if actor.id == user.id:
        raise ValidationFailed({"roles": "不能修改自己的角色"})
    errors = role_problems(user, target)
    if errors:
        raise ValidationFailed({f"is_{k}" if k in BUSINESS_ROLES else k: v
                                for k, v in errors.items()})
    return _apply(actor, user, current, target)


def _apply(actor: User | None, user: User, before: dict[str, bool],
           after: dict[str, bool]) -> bool:
    for key, (column, _label) in ROLES.items():
        setattr(user, column, after[key])
    db.session.flush()
    trail.record("roles_changed", actor, role=None if actor else "cli", detail={
        "user": user.username, "user_id": user.id,
        "before": [k for k, v in before.items() if v],
        "after": [k for k, v in after.items() if v]})
    return True


def set_roles(actor: User | None, user: User, wanted: dict[str, bool]) -> bool:
    """A security administrator (or the command line, actor None) sets the user's roles.
    Refused for anyone else and for one's own account. Audited with before and after; returns
    False when nothing changed."""
    if actor is not None and not actor.is_security_admin:
        raise ValidationFailed({"roles": "只有安全管理员可以授予或撤销角色"})
    if actor is not None and actor.id == user.id:
        raise ValidationFailed({"roles": "不能修改自己的角色"})
    wanted = {key: bool(wanted.get(key)) for key in ROLES}
    errors = role_problems(user, wanted)
    if errors:
        raise ValidationFailed(errors)
    before = roles_of(user)
    if before == wanted:
        return False
    return _apply(actor, user, before, wanted)
