"""The public portal: only published evaluations exist there, by listing and by URL."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.public.helpers import (
    published_report,
    return_to_draft,
    team_evaluation,
)
from workflow_app.evaluations.models import EvaluationKind
from workflow_app.extensions import db
from workflow_app.public.models import PublishedReport
from workflow_app.public.publication import publish_artifact
from workflow_app.workflow.models import Revision
from workflow_app.workflow.states import EvaluationState

HIDDEN_STATES = [
    EvaluationState.DRAFT,
    EvaluationState.TEAM_REVIEW,
    EvaluationState.LEADER_SIGNOFF,
    EvaluationState.FINANCE_ACCEPTANCE,
    EvaluationState.ACCEPTED,
]


def _hidden_evaluations(make):
    """One evaluation per unpublished situation, each with a recognisable name."""
    hidden = []
    for state in HIDDEN_STATES:
        hidden.append(team_evaluation(make, state=state, name=f"未公开{state.value}项目"))
    returned = team_evaluation(make, state=EvaluationState.FINANCE_ACCEPTANCE,
                               name="未公开退回项目")
    from workflow_app.public.publication import latest_revision

    return_to_draft(returned, latest_revision(returned), "资金数据有误")
    hidden.append(returned)
    # State says published but no artifact was stored: still not public.
    no_artifact = team_evaluation(make, state=EvaluationState.ACCEPTED, name="未公开无文件项目")
    no_artifact.state = EvaluationState.PUBLISHED  # TEST SETUP ONLY
    hidden.append(no_artifact)
    db.session.flush()
    return hidden


@pytest.fixture
def world(make, db_session, fast_render):
    """A published report among evaluations in every unpublished situation."""
    published = team_evaluation(make, state=EvaluationState.PUBLISHED, name="已公开示范项目")
    hidden = _hidden_evaluations(make)
    db.session.commit()
    return published, hidden


def test_listing_shows_only_published(client, world):
    published, hidden = world
    page = client.get("/public/")
    assert page.status_code == 200
    html = page.text
    assert "已公开示范项目" in html
    assert "未公开" not in html
    assert f'data-evaluation-id="{published.id}"' in html
    for evaluation in hidden:
        assert f'data-evaluation-id="{evaluation.id}"' not in html
    # Searching for them finds nothing either.
    searched = client.get("/public/?q=未公开").text
    assert "data-evaluation-id" not in searched
    assert "没有符合条件的公开报告" in searched


def test_unpublished_are_404_by_every_url(client, world):
    _published, hidden = world
    for evaluation in hidden:
        for url in (f"/public/reports/{evaluation.id}",
                    f"/public/reports/{evaluation.id}/download.pdf"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "未公开" not in response.text
    assert client.get("/public/reports/999999").status_code == 404
    assert client.get("/public/reports/999999/download.pdf").status_code == 404
    assert client.get("/public/reports/ABCD-EFGH").status_code == 404
    response = client.get("/public/verify/ABCD-EFGH")
    assert response.status_code == 404
    assert "未找到核验码" in response.text


def test_artifact_of_an_evaluation_not_in_published_state_is_hidden(client, make, db_session,
                                                                    fast_render):
    """Belt and braces: a stored report whose evaluation is not published stays hidden.

    A published evaluation can no longer be set back to accepted (the database refuses the
    state change), so the stray artifact is stored beside an accepted one instead."""
    evaluation = team_evaluation(make, state=EvaluationState.ACCEPTED, name="状态异常项目")
    revision = db.session.scalars(select(Revision).where(
        Revision.evaluation_id == evaluation.id)).one()
    code = publish_artifact(evaluation, revision).verification_code  # TEST SETUP ONLY
    db.session.commit()
    assert evaluation.state == EvaluationState.ACCEPTED
    assert "状态异常项目" not in client.get("/public/").text
    assert client.get(f"/public/reports/{evaluation.id}").status_code == 404
    assert client.get(f"/public/reports/{code}").status_code == 404
    assert client.get(f"/public/reports/{evaluation.id}/download.pdf").status_code == 404
    assert client.get(f"/public/verify/{code}").status_code == 404


def test_no_login_needed_and_nav_links_portal(client, world):
    html = client.get("/public/").text
    assert 'href="/public/"' in html and "公开报告" in html
    assert "登录" in html


def test_detail_shows_snapshot_scores_and_signatures(client, make, db_session, fast_render):
    def edit(doc):
        # The frozen snapshot differs from the working copy (test setup only), to prove the
        # page reads the published snapshot.
        leaf = doc["indicators"][0]["children"][1]
        leaf["name"] = "快照中的质量指标"
        leaf["score"] = "31.5"

    evaluation = team_evaluation(make, state=EvaluationState.PUBLISHED, name="快照项目",
                                 leaves=[("数量指标", "60", "60"), ("质量指标", "40", "20")],
                                 edit=edit)
    report = published_report(evaluation)
    db.session.commit()
    html = client.get(f"/public/reports/{evaluation.id}").text
    assert "快照中的质量指标" in html and ">质量指标<" not in html
    assert "31.5" in html and "91.5" in html
    assert "优秀" in html
    assert report.verification_code in html
    for member in evaluation.team:
        assert member.user.name in html
    assert report.revision.content_hash[:12] in html
    assert "会签" in html and "组长审定" in html
    # The detail is also reachable by the verification code, in any case.
    assert client.get(f"/public/reports/{report.verification_code.lower()}").status_code == 200


def test_download_is_exactly_the_stored_bytes(client, make, db_session):
    evaluation = team_evaluation(make, state=EvaluationState.PUBLISHED, name="下载项目")
    report = published_report(evaluation)
    stored, sha = report.pdf, report.sha256
    db.session.commit()
    url = f"/public/reports/{evaluation.id}/download.pdf"
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == stored
    assert hashlib.sha256(first.data).hexdigest() == sha
    assert first.mimetype == "application/pdf"
    assert first.headers["ETag"].strip('"') == sha
    disposition = first.headers["Content-Disposition"]
    assert "attachment" in disposition
    assert f'filename="report-{evaluation.id}.pdf"' in disposition
    name = f"{evaluation.unit.name}2024年度下载项目绩效自评报告.pdf"
    assert disposition.endswith("filename*=UTF-8''" + quote(name, safe=""))
    not_modified = client.get(url, headers={"If-None-Match": f'"{sha}"'})
    assert not_modified.status_code == 304


# --------------------------------------------------------------------------- filters


@pytest.fixture
def catalogue(make, db_session, fast_render):
    unit_a = make.unit("甲县教育局")
    unit_b = make.unit("乙县卫生健康局")
    rows = {
        "a2023": team_evaluation(make, unit=unit_a, state=EvaluationState.PUBLISHED, year=2023,
                                 name="义务教育营养改善计划"),
        "a2024": team_evaluation(make, unit=unit_a, state=EvaluationState.PUBLISHED, year=2024,
                                 name="甲县教育局2024年度整体支出",
                                 kind=EvaluationKind.UNIT_WHOLE,
                                 leaves=[("产出", "60", "50"), ("效益", "40", "30")]),
        "b2024": team_evaluation(make, unit=unit_b, state=EvaluationState.PUBLISHED, year=2024,
                                 name="基本公共卫生服务项目",
                                 leaves=[("产出", "60", "40"), ("效益", "40", "20")]),
        "hidden": team_evaluation(make, unit=unit_b, state=EvaluationState.ACCEPTED, year=2024,
                                  name="家庭医生签约服务"),
    }
    db.session.commit()
    return rows, unit_a, unit_b


def _ids(client, query):
    html = client.get("/public/" + query).text
    return {int(x) for x in re.findall(r'data-evaluation-id="(\d+)"', html)}


def test_filters(client, catalogue):
    rows, unit_a, unit_b = catalogue
    a23, a24, b24 = rows["a2023"].id, rows["a2024"].id, rows["b2024"].id
    assert _ids(client, "") == {a23, a24, b24}
    assert _ids(client, "?year=2024") == {a24, b24}
    assert _ids(client, f"?unit={unit_a.id}") == {a23, a24}
    assert _ids(client, f"?unit={unit_b.id}") == {b24}
    assert _ids(client, "?kind=unit_whole") == {a24}
    assert _ids(client, "?kind=project") == {a23, b24}
    assert _ids(client, "?grade=优秀") == {a23}       # 98
    assert _ids(client, "?grade=良好") == {a24}       # 80
    assert _ids(client, "?grade=一般") == {b24}       # 60
    assert _ids(client, "?q=营养") == {a23}
    assert _ids(client, "?q=卫生健康") == {b24}       # by unit name
    assert _ids(client, "?q=家庭医生") == set()       # not published
    assert _ids(client, "?q=%25") == set()            # LIKE wildcards are literal
    assert _ids(client, f"?year=2024&unit={unit_a.id}&grade=良好") == {a24}
    assert _ids(client, "?year=abc&kind=nonsense") == {a23, a24, b24}  # ignored


def test_filter_choices_list_only_published(client, catalogue):
    html = client.get("/public/").text
    assert "甲县教育局" in html and "乙县卫生健康局" in html
    assert '<option value="2023"' in html and '<option value="2024"' in html
    assert '<option value="优秀"' in html


def test_pagination(client, make, db_session, fast_render, monkeypatch):
    monkeypatch.setattr("workflow_app.public.queries.PAGE_SIZE", 2)
    unit = make.unit()
    for i in range(5):
        team_evaluation(make, unit=unit, state=EvaluationState.PUBLISHED, name=f"分页项目{i}")
    db.session.commit()
    seen = set()
    for page in (1, 2, 3):
        ids = _ids(client, f"?page={page}")
        assert len(ids) == (2 if page < 3 else 1)
        seen |= ids
    assert len(seen) == 5
    html = client.get("/public/?page=2&q=分页").text
    assert "第 2 / 3 页" in html
    assert "q=%E5%88%86%E9%A1%B5" in html  # filters carried into the pager links
    assert len(_ids(client, "?page=2&grade=优秀")) == 2


def test_published_count_matches(client, catalogue):
    assert db.session.query(PublishedReport).count() == 3
    assert "共 3 份公开报告" in client.get("/public/").text

