"""The security administrator's pages at /security (安全管理员): role grants, unlocking accounts,
password resets. Views are thin: the rules live in auth.roles, auth.login and auth.passwords.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from workflow_app.auth import passwords, roles
from workflow_app.auth.login import unlock
from workflow_app.auth.models import User
from workflow_app.evaluations.operations import ValidationFailed
from workflow_app.extensions import db, login_manager
from workflow_app.units.models import Unit

bp = Blueprint("security", __name__, url_prefix="/security")
PAGE_SIZE = 50


@bp.before_request
def require_security_admin():
    """Only the security administrator."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not roles.can_manage_security(current_user):
        abort(403)
    return None


@bp.route("/")
def index():
    """Users with their roles and lock state; search by username, name or unit."""
    q = (request.args.get("q") or "").strip()[:64]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = select(User).join(User.unit).order_by(Unit.name, User.username)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.username.ilike(like), User.name.ilike(like),
                                Unit.name.ilike(like)))
    if request.args.get("locked"):
        from workflow_app.dbtypes import utcnow

        query = query.where(User.locked_until > utcnow())
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("security/index.html", pagination=pagination, q=q,
                           locked=bool(request.args.get("locked")))


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """One account: its roles (changed here), its lock, its password reset."""
    target = _user(user_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted = {key: bool(request.form.get(key)) for key in roles.ROLES}
        try:
            changed = roles.set_roles(current_user._get_current_object(), target, wanted)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash("角色已更新。" if changed else "角色没有变化。", "success")
            return redirect(url_for("security.user", user_id=target.id))
    return render_template("security/user.html", target=target, roles=roles.ROLES,
                           held=roles.roles_of(target), errors=errors,
                           is_self=target.id == current_user.id)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
def unlock_user(user_id: int):
    """Lift a lockout after repeated failed logins."""
    target = _user(user_id)
    if unlock(target, current_user._get_current_object()):
        flash(f"已解锁 {target.name}。", "success")
    else:
        flash(f"{target.name} 的账号未被锁定。", "info")
    db.session.commit()
    return redirect(url_for("security.user", user_id=target.id))


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
def reset(user_id: int):
    """Give the user a temporary password, shown once; every session and token ends."""
    target = _user(user_id)
    try:
        temporary = passwords.reset_password(current_user._get_current_object(), target)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("security.user", user_id=target.id))
    db.session.commit()
    return render_template("security/reset.html", target=target, temporary=temporary)


def register(app: Flask) -> None:
    """Called by workflow_app.web: mount the security administrator's pages."""
    app.register_blueprint(bp)
