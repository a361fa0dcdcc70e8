"""Everyone who may read an evaluation opens its evidence: the indicator page is a read view
for members, the leader and the finance officer, and the detail page links every file."""

from __future__ import annotations

import hashlib

import pytest

from tests.workflow.helpers import S, build_world
from workflow_app.evaluations.models import Evidence
from workflow_app.extensions import db

PDF = b"%PDF-1.4\n" + b"evidence" * 20


@pytest.fixture
def world(make, db_session, monkeypatch):
    from workflow_app.workflow import steps

    monkeypatch.setattr(steps, "publish_report", lambda firing: None)
    w = build_world(make)
    leaf = next(i for i in w.evaluation.indicators if i.name == "质量指标")
    leaf.evidence.append(Evidence(filename="验收报告.pdf", content_type="application/pdf",
                                  size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(),
                                  data=PDF, uploaded_by_id=w.preparer.id))
    db.session.flush()
    w.leaf = leaf
    return w


@pytest.mark.parametrize("who, state", [("member1", S.TEAM_REVIEW), ("leader", S.LEADER_SIGNOFF),
                                        ("finance", S.FINANCE_ACCEPTANCE),
                                        ("preparer", S.TEAM_REVIEW)])
def test_readers_open_the_indicator_and_download_its_evidence(world, login, who, state):
    world.go(state)
    db.session.commit()
    e, leaf = world.evaluation, world.leaf
    evidence = leaf.evidence[0]
    client = login(getattr(world, who))
    download = f"/evaluations/{e.id}/evidence/{evidence.id}"
    detail = client.get(f"/evaluations/{e.id}").get_data(as_text=True)
    assert f'href="{download}"' in detail  # linked from the report's scoring table
    assert f'href="/evaluations/{e.id}/indicators/{leaf.id}"' in detail
    page = client.get(f"/evaluations/{e.id}/indicators/{leaf.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "验收报告.pdf" in text and f'href="{download}"' in text
    assert "<form" not in text.split('id="evidence"', 1)[1]  # no upload, no delete
    file = client.get(download)
    assert file.status_code == 200 and file.data == PDF


def test_outsiders_still_see_nothing(world, login):
    world.go(S.TEAM_REVIEW)
    db.session.commit()
    e, leaf = world.evaluation, world.leaf
    client = login(world.outsider)
    assert client.get(f"/evaluations/{e.id}/indicators/{leaf.id}").status_code == 404
    assert client.get(f"/evaluations/{e.id}/evidence/{leaf.evidence[0].id}").status_code == 404
