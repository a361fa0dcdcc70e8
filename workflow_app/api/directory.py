"""POST /api/v1/directory/import: the bulk import of units and users, for programs.

The body is the workbook of ``/admin/import/template.xlsx`` (raw, or multipart field
``file``). ``dry_run`` (default true) checks every row and changes nothing; ``dry_run=false``
imports the valid rows and answers the new users' initial passwords, this once.
"""

from __future__ import annotations

from flask import g, jsonify, request

from workflow_app.admin import bulk_import
from workflow_app.api.errors import ApiError
from workflow_app.extensions import db


def import_directory():
    """Check (dry run) or import a workbook of units and users (system administrators)."""
    user = g.api_user
    if not user.is_admin:
        raise ApiError(403, "只有系统管理员可以批量导入单位与用户。")
    flag = (request.args.get("dry_run") or "true").strip().lower()
    if flag not in ("true", "false", "1", "0"):
        raise ApiError(400, "dry_run 应为 true 或 false。")
    dry_run = flag in ("true", "1")
    upload = request.files.get("file")
    limit = bulk_import.MAX_BYTES + 1
    data = upload.read(limit) if upload else request.get_data(cache=False)[:limit]
    try:
        report = bulk_import.import_directory(user, data, dry_run=dry_run)
    except bulk_import.ImportRefused as exc:
        db.session.rollback()
        raise ApiError(422, str(exc), code="import_refused") from None
    db.session.commit()
    body = report.as_dict()
    if not dry_run:
        body["initial_passwords"] = [{"username": u, "name": n, "password": p}
                                     for u, n, p in report.passwords]
    return jsonify(body)
