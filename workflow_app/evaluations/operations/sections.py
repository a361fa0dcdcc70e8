"""The 报告正文 tab: the narrative sections of the report."""

from __future__ import annotations

import re
from typing import Any

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, Section
from workflow_app.evaluations.operations.common import _begin, _Check, _done, _rows, _touch
from workflow_app.extensions import db

SECTION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def set_sections(evaluation: Evaluation, actor: User, expected_version: Any,
                 rows: list[dict[str, Any]]) -> Evaluation:
    """报告正文: the narrative sections in order (key, title, body); a new row gets a key."""
    _begin(evaluation, actor, expected_version)
    check, built, keys = _Check(), [], set()
    for i, row in enumerate(_rows(rows)):
        f = f"sections-{i}-"
        key = str(row.get("key") or "").strip() or f"section_{i + 1}"
        if not SECTION_KEY_RE.match(key):
            check.fail(f + "key", "章节标识只能使用小写字母、数字和下划线")
        if key in keys:
            key = f"{key}_{i + 1}"
        keys.add(key)
        title = check.text(row, "title", "章节标题", field=f + "title", max_len=200)
        body = check.text(row, "body", "正文", field=f + "body", multiline=True, max_len=100000)
        if not title and key != "preface":  # only the preface (引言) is printed untitled
            check.fail(f + "title", "请填写章节标题")
        built.append(Section(key=key, position=i + 1, title=title, body=body))
    check.raise_if_failed()
    _touch(evaluation)
    # Unique (evaluation, key): delete the old rows before the new ones are inserted.
    evaluation.sections = []
    db.session.flush()
    evaluation.sections = built
    _done(evaluation, actor, "sections", rows=len(built))
    return evaluation
