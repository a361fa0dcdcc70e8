"""Wires the faces (blueprints, error pages, template helpers, CLI) onto the app."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from workflow_app.extensions import db


def register_web(app: Flask) -> None:
    """Register blueprints, CLI commands, error handlers and the SQLite pragmas."""
    from workflow_app.auth.views import bp as auth_bp
    from workflow_app.cli import register_cli
    from workflow_app.evaluations import report_body
    from workflow_app.evaluations.views import bp as evaluations_bp
    from workflow_app.security import register as register_security

    register_security(app)  # first: its bounded <int:> converter must exist before any route
    app.register_blueprint(auth_bp)
    app.register_blueprint(evaluations_bp)
    report_body.register(app)
    for loader in _optional_blueprints():
        loader(app)
    register_cli(app)

    from workflow_app.templating import register_template_helpers

    register_template_helpers(app)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):  # noqa: ANN001
        return _error_page(400, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")

    @app.errorhandler(400)
    def bad_request(exc):  # noqa: ANN001
        description = getattr(exc, "description", "") or ""
        if not description or description.isascii():  # Werkzeug's English default
            description = "请求无效，请检查输入后重试。"
        return _error_page(400, description)

    @app.errorhandler(403)
    def forbidden(exc):  # noqa: ANN001
        return _error_page(403, "您无权访问该页面或执行该操作。")

    @app.errorhandler(404)
    def not_found(exc):  # noqa: ANN001
        return _error_page(404, "页面不存在，或者您无权查看。")

    @app.errorhandler(413)
    def too_large(exc):  # noqa: ANN001
        return _error_page(413, "上传的文件过大。")

    @app.errorhandler(500)
    def server_error(exc):  # noqa: ANN001
        db.session.rollback()
        return _error_page(500, "系统内部错误，操作未保存。请稍后重试或联系管理员。")

    _sqlite_pragmas()

    from workflow_app.auth.limits import init_limits
    from workflow_app.auth.sessions import install_session_checks

    init_limits(app)
    install_session_checks(app)

    from workflow_app.audit.coverage import install_cli_coverage, install_request_coverage

    install_request_coverage(app)
    install_cli_coverage(app)


def _optional_blueprints():
    """Blueprints of areas that register themselves (API, workflow, public, admin, reports)."""
    import importlib

    loaders = []
    for name in (
        "workflow_app.api",
        "workflow_app.workflow.views",
        "workflow_app.public.views",
        "workflow_app.admin.views",
        "workflow_app.reports.views",
        "workflow_app.notifications.views",
        "workflow_app.serving",
        "workflow_app.jobs.views",
        "workflow_app.overview.views",
        "workflow_app.auth.security_views",
        "workflow_app.audit.views",
        "workflow_app.evaluations.findings_views",
    ):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not exc.name or not name.startswith(exc.name):
                raise
            continue
        loaders.append(module.register)
    return loaders


def _error_page(code: int, message: str):
    if request.path.startswith("/api/"):
        from flask import jsonify

        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 413: "too_large",
                 500: "internal_error"}
        return jsonify({"error": {"code": codes.get(code, "error"), "message": message}}), code
    return render_template("error.html", code=code, message=message), code


_PRAGMAS_INSTALLED = False


def _sqlite_pragmas() -> None:
    """Foreign keys are off by default in SQLite; the schema relies on them."""
    global _PRAGMAS_INSTALLED
    if _PRAGMAS_INSTALLED:
        return
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        if not isinstance(dbapi_conn, sqlite3.Connection):
            return
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.close()

    _PRAGMAS_INSTALLED = True
