"""Fixtures of the exchange tests: the demo data (seeds 000 and 001) loaded and committed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from workflow_app.auth.models import User
from workflow_app.demo import load_demo
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db


@pytest.fixture
def demo(ctx):
    """load_demo() committed; `.users[username]`, `.seed001`, `.seed000`, `.website`."""
    load_demo()
    db.session.commit()
    users = {u.username: u for u in db.session.scalars(select(User))}
    by_name = {e.project_name: e for e in db.session.scalars(select(Evaluation))}
    return SimpleNamespace(
        users=users,
        seed001=by_name["高邑县人民政府办公室2021年度整体支出"],
        seed000=by_name["完善绩效考核办法工作经费"],
        website=by_name["政府网站技术服务"],
    )


def _draft_copy(evaluation: Evaluation) -> Evaluation:
    from workflow_app.exchange.json_io import export_document, import_document

    copy_ = import_document(export_document(evaluation), preparer=evaluation.preparer)
    db.session.commit()
    return copy_


@pytest.fixture
def draft001(demo):
    """A draft with seed 001's content (the demo's own copy may have moved on in the workflow)."""
    return _draft_copy(demo.seed001)


@pytest.fixture
def draft000(demo):
    """A draft with seed 000's content."""
    return _draft_copy(demo.seed000)
