"""The demo data: idempotent, and every demo account logs in to a page that fits its role."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from workflow_app import models
from workflow_app.demo import DEMO_PASSWORD, load_demo
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db

COUNTED = [models.Unit, models.User, models.Evaluation, models.Indicator, models.TeamMember,
           models.SubProject, models.Revision, models.Signature, models.IndicatorTemplate,
           models.GradeScheme, models.AuditEvent]


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def test_demo_is_idempotent(ctx):
    load_demo()
    db.session.commit()
    first = _counts()
    assert first["Evaluation"] >= 4 and first["User"] >= 6
    load_demo()
    db.session.commit()
    assert _counts() == first


def test_seed_001_is_loaded_in_full(ctx):
    load_demo()
    db.session.commit()
    seed = db.session.scalar(select(Evaluation).where(Evaluation.kind == "unit_whole"))
    leaves = [i for i in seed.indicators if not i.children]
    assert len(leaves) == 33
    assert sum(i.weight for i in leaves) == Decimal(100)
    assert sum(i.score for i in leaves) == Decimal("96.5")
    assert len(seed.sub_projects) == 22
    assert sum(s.budget for s in seed.sub_projects) == Decimal("580.01")
    assert len(seed.team) == 7 and seed.leader.username == "leader"
    assert seed.funding[0].planned == Decimal("1308.05")
    assert seed.funding[0].spent == Decimal("906.09")


def test_the_preparer_has_a_draft_ready_to_submit(ctx):
    load_demo()
    db.session.commit()
    drafts = db.session.scalars(select(Evaluation).where(Evaluation.state == "draft")).all()
    teams = [{(m.user.username, m.role.value) for m in e.team} for e in drafts]
    assert {("leader", "leader"), ("member1", "member"), ("member2", "member")} in teams


@pytest.mark.parametrize(
    "username, expected",
    [
        ("preparer", "新建自评"),
        ("member1", "我的待办"),
        ("member2", "高邑县人民政府办公室"),
        ("leader", "高邑县人民政府办公室"),
        ("finance", "所辖单位提交的绩效自评"),
        ("admin", "系统管理"),
        ("security", "安全管理"),
        ("auditor", "审计日志"),
    ],
)
def test_every_demo_account_logs_in(app, ctx, username, expected):
    load_demo()
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "退出" in page
    assert expected in page
    assert "演示账号" in page  # the demo accounts say so (their password is public)


@pytest.mark.parametrize("username", ["preparer", "member1", "member2", "leader", "finance"])
def test_every_working_role_has_something_to_do(app, ctx, username):
    load_demo()
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    inbox = client.get("/inbox").get_data(as_text=True)
    assert 'class="badge"' in inbox, f"{username} has an empty to-do list"
