"""The 佐证材料 tab: files attached to leaf indicators."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, Evidence
from workflow_app.evaluations.operations.common import (
    OperationError,
    ValidationFailed,
    _begin,
    _done,
    _touch,
)
from workflow_app.evaluations.operations.indicators import _code_of, _indicator_of
from workflow_app.extensions import db

# Extension → (content type, accepted leading bytes). The type is decided here, never taken
# from the browser; the leading bytes catch a renamed executable or a truncated upload.
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "ofd": ("application/ofd", (b"PK\x03\x04",)),
}
EVIDENCE_ACCEPT = ",".join(f".{ext}" for ext in EVIDENCE_TYPES)


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def add_evidence(evaluation: Evaluation, actor: User, expected_version: Any,
                 indicator_id: Any, filename: str, data: bytes) -> Evidence:
    """Attach a file to a third-level indicator: type by extension and content, size capped
    by ``EVIDENCE_MAX_BYTES``, SHA-256 stored (the content document and signatures cover it)."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    if not indicator.is_leaf:
        raise ValidationFailed({"file": "佐证材料只能附在末级指标（填写得分的指标）上"})
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationFailed({"file": "请选择要上传的文件"})
    if len(name) > 200:
        stem, _, ext = name.rpartition(".")
        name = f"{stem[:190]}.{ext}" if stem else name[:200]
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationFailed({"file": "不支持的文件类型“{}”；可上传 PDF、JPG/PNG 图片、Word、"
                                        "Excel 或 OFD 文件".format(ext or "无扩展名")})
    limit = int(current_app.config.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
    if not data:
        raise ValidationFailed({"file": "文件为空，请重新选择"})
    if len(data) > limit:
        raise ValidationFailed({"file": f"文件过大（{_human_size(len(data))}），"
                                        f"单个佐证材料不能超过 {_human_size(limit)}"})
    content_type, magics = EVIDENCE_TYPES[ext]
    if not data.startswith(magics):
        raise ValidationFailed({"file": f"文件内容与扩展名“.{ext}”不符，请确认文件未损坏"})
    digest = hashlib.sha256(data).hexdigest()
    if any(e.sha256 == digest for e in indicator.evidence):
        raise ValidationFailed({"file": "该指标已附有内容完全相同的文件"})
    _touch(evaluation)
    evidence = Evidence(indicator=indicator, filename=name, content_type=content_type,
                        size=len(data), sha256=digest, data=data, uploaded_by_id=actor.id)
    db.session.add(evidence)
    _done(evaluation, actor, "evidence_add", indicator=_code_of(evaluation, indicator),
          filename=name, sha256=digest, size=len(data))
    return evidence


def remove_evidence(evaluation: Evaluation, actor: User, expected_version: Any,
                    evidence_id: Any) -> None:
    """Detach a file from its indicator."""
    _begin(evaluation, actor, expected_version)
    evidence = find_evidence(evaluation, evidence_id)
    if evidence is None:
        raise OperationError("找不到该佐证材料，可能已被删除。请刷新页面。")
    _touch(evaluation)
    indicator = evidence.indicator
    indicator.evidence.remove(evidence)
    _done(evaluation, actor, "evidence_remove", indicator=_code_of(evaluation, indicator),
          filename=evidence.filename, sha256=evidence.sha256)


def find_evidence(evaluation: Evaluation, evidence_id: Any) -> Evidence | None:
    """The evidence row with this id if it belongs to the evaluation."""
    try:
        wanted = int(evidence_id)
    except (TypeError, ValueError):
        return None
    evidence = db.session.get(Evidence, wanted)
    if evidence is None or evidence.indicator.evaluation_id != evaluation.id:
        return None
    return evidence
