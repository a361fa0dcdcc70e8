"""Login and logout pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from workflow_app.audit import trail
from workflow_app.auth.forms import LoginForm
from workflow_app.auth.models import User
from workflow_app.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login: the user of a session, or None."""
    return db.session.get(User, int(user_id))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on success go to the page asked for, or the home page."""
    if current_user.is_authenticated:
        return redirect(url_for("evaluations.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append("用户名或密码不正确。")
        elif not user.active:
            form.username.errors.append("该账号已停用，请联系系统管理员。")
        else:
            login_user(user, remember=form.remember.data)
            trail.record("login", user, detail={"address": request.remote_addr or ""})
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session."""
    trail.record("logout", current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("您已安全退出。", "success")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("evaluations.home")
