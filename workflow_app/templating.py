"""Template filters and globals shared by every page."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask


def fmt_decimal(value: Decimal | int | str | None, places: int | None = None) -> str:
    """Show a decimal without trailing zeros ("6.50" → "6.5"), or "—" for none."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
        return f"{number:f}"
    text = f"{number.normalize():f}"
    return text


def fmt_percent(value: Decimal | None) -> str:
    """A ratio as a percentage with at most two decimals ("0.6927" → "69.27%")."""
    if value is None:
        return "—"
    pct = (Decimal(value) * 100).quantize(Decimal("0.01"))
    return f"{pct.normalize():f}%"


def fmt_datetime(value) -> str:  # noqa: ANN001
    """A timestamp in China Standard Time, to the minute."""
    if value is None:
        return "—"
    from datetime import timedelta, timezone

    cst = timezone(timedelta(hours=8))
    return value.astimezone(cst).strftime("%Y-%m-%d %H:%M")


def register_template_helpers(app: Flask) -> None:
    """Install the filters and the navigation globals."""
    app.jinja_env.filters["dec"] = fmt_decimal
    app.jinja_env.filters["pct"] = fmt_percent
    app.jinja_env.filters["dt"] = fmt_datetime
    from workflow_app.text import clause, sentence

    app.jinja_env.filters["sentence"] = sentence  # "理由：X。" once, whatever X ends with
    app.jinja_env.filters["clause"] = clause
    app.jinja_env.globals["nav_items"] = _nav_items
    app.jinja_env.globals["nav_badges"] = _nav_badges
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    from workflow_app.integrity import hashing

    app.jinja_env.globals["hash_label"] = hashing.label  # which algorithm a stored hash used


def _nav_items() -> list[tuple[str, str, str]]:
    """(endpoint, label, key) of the navigation, by the current user's roles."""
    from flask import current_app
    from flask_login import current_user

    if not current_user.is_authenticated:
        return [("public.index", "公开报告", "public")] if "public.index" in _endpoints(
            current_app
        ) else []
    items = [("evaluations.home", "工作台", "home")]
    endpoints = _endpoints(current_app)
    if "notifications.inbox" in endpoints:
        items.append(("notifications.inbox", "我的待办", "inbox"))
    if current_user.is_finance_officer and current_user.unit.is_bureau \
            and "overview.index" in endpoints:
        items.append(("overview.index", "统计汇总", "overview"))
    if current_user.is_admin and "admin.index" in endpoints:
        items.append(("admin.index", "系统管理", "admin"))
    if current_user.is_security_admin and "security.index" in endpoints:
        items.append(("security.index", "安全管理", "security"))
    if current_user.is_audit_admin and "audit.index" in endpoints:
        items.append(("audit.index", "审计日志", "audit"))
    if "public.index" in endpoints:
        items.append(("public.index", "公开报告", "public"))
    return items


def _nav_badges() -> dict[str, int]:
    """Counts shown beside navigation items (e.g. the number of to-dos)."""
    from flask import current_app
    from flask_login import current_user

    hook = current_app.extensions.get("nav_badges")
    if hook is None or not current_user.is_authenticated:
        return {}
    return hook(current_user)


def _endpoints(app: Flask) -> set[str]:
    return set(app.view_functions)
