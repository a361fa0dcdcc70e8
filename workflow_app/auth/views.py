"""Login, logout and the user's own account pages (password, API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from workflow_app.audit import trail
from workflow_app.auth import limits, passwords, sessions, tokens
from workflow_app.auth.forms import ChangePasswordForm, LoginForm, TokenForm
from workflow_app.auth.login import attempt_login, failure_hint
from workflow_app.auth.models import ApiToken
from workflow_app.evaluations.operations import ValidationFailed
from workflow_app.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
login_manager.user_loader(sessions.load_session_user)


def _address() -> str:
    return request.remote_addr or ""


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on success go to the page asked for, or the home page."""
    if current_user.is_authenticated:
        return redirect(url_for("evaluations.home"))
    form = LoginForm()
    if form.validate_on_submit():
        address = _address()
        if limits.address_throttled(address):
            return render_template("auth/login.html", form=form, hint=failure_hint(),
                                   throttled=True), 429
        outcome = attempt_login(form.username.data, form.password.data, address=address)
        if outcome.ok:
            sessions.start_session(outcome.user)
            trail.record("login", outcome.user, detail={"address": address})
            db.session.commit()
            if outcome.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
        if limits.count_failed_login(address):
            trail.record("address_throttled", None, role="anonymous", detail={
                "address": address, "limit": _limit_text()})
        db.session.commit()
        form.password.errors.append(outcome.message)
    return render_template("auth/login.html", form=form, hint=failure_hint())


def _limit_text() -> str:
    from flask import current_app

    return current_app.config["LOGIN_ADDRESS_LIMIT"]


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session, and every other session and API token of the user."""
    user = current_user._get_current_object()
    revoked = sessions.end_all_sessions(user, reason="logout")
    trail.record("logout", user, detail={"tokens_revoked": revoked})
    db.session.commit()
    logout_user()
    flash("您已安全退出。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password (forced at first login and after a reset)."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(user, form.new.data, current=form.current.data)
        except ValidationFailed as exc:
            db.session.rollback()
            for key, message in exc.errors.items():
                getattr(form, key, form.new).errors.append(message)
        else:
            sessions.keep_this_session(user)
            db.session.commit()
            flash("密码已修改；其他设备上的登录和访问令牌均已失效。", "success")
            return redirect(url_for("evaluations.home"))
    return render_template("auth/password.html", form=form, rules=passwords.rules_text())


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """The user's API tokens: issue one (shown once), see when each was last used."""
    user = current_user._get_current_object()
    form = TokenForm()
    clear = None
    if form.validate_on_submit():
        try:
            _row, clear = tokens.issue_token(user, user, days=form.days.data,
                                             label=form.label.data or "")
        except ValidationFailed as exc:
            db.session.rollback()
            for key, message in exc.errors.items():
                getattr(form, key).errors.append(message)
        else:
            db.session.commit()
    return render_template("auth/tokens.html", form=form, tokens=tokens.tokens_of(user),
                           clear=clear)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    """Revoke one of one's own tokens."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if tokens.revoke_token(row, current_user._get_current_object()):
        db.session.commit()
        flash("访问令牌已吊销。", "success")
    return redirect(url_for("auth.api_tokens"))


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("evaluations.home")
