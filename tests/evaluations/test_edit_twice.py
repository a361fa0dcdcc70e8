"""Every editor tab of a fully filled evaluation (seed 001, all its rows) saved twice in a row
through HTTP, posting back exactly the form the page shows: each save succeeds and leaves the
content as it was; then each tab is changed twice and the content follows each change."""

from __future__ import annotations

import pytest

from tests.htmlforms import form_data
from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evaluation

TABS = ("header", "funding", "subs", "scores", "sections", "team")


@pytest.fixture
def seed001(seed001, db_session):
    """Seed 001 with expense lines too (the seed prints none), so every table has rows."""
    from decimal import Decimal

    from workflow_app.evaluations.models import ExpenseLine

    evaluation, preparer = seed001
    evaluation.expenses = [
        ExpenseLine(position=1, category="办公费", planned=Decimal("12.5"), actual=Decimal("11")),
        ExpenseLine(position=2, category="差旅费", planned=Decimal("3.2"), actual=Decimal("2.95")),
    ]
    db_session.flush()
    return evaluation, preparer


def _content(db_session, evaluation_id):
    db_session.expire_all()
    return to_document(db_session.get(Evaluation, evaluation_id))


def _save_as_shown(client, url, change=None):
    page = client.get(url)
    assert page.status_code == 200
    fields = form_data(page.get_data(as_text=True))
    if callable(change):
        change = change(fields)
    if change:
        fields = [(k, change.get(k, v)) for k, v in fields]
    return client.post(url, data=dict(fields) | {})


def test_seed001_has_rows_in_every_table(seed001):
    evaluation, _ = seed001
    doc = to_document(evaluation)
    assert doc["funding"] and doc["expenses"] and doc["sub_projects"]
    assert doc["sections"] and len(doc["team"]) == 7


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_saves_unchanged_twice(seed001, login, db_session, tab):
    evaluation, preparer = seed001
    db_session.commit()
    before = _content(db_session, evaluation.id)
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/edit/{tab}"
    for _ in range(2):
        response = _save_as_shown(client, url)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        assert _content(db_session, evaluation.id) == before


def test_every_tab_changed_twice_in_a_row(seed001, login, db_session):
    evaluation, preparer = seed001
    db_session.commit()
    client = login(preparer)
    base = f"/evaluations/{evaluation.id}/edit/"
    # The first leaf in the document's order (positions count among siblings only).
    first = _leaves(_content(db_session, evaluation.id))[0]
    leaf_id = next(i for i in evaluation.indicators
                   if i.is_leaf and i.name == first["name"]).id
    last = evaluation.team[-1].user
    last_member = last.username

    def team_role(role):
        def change(fields):
            key = next(k for k, v in fields if k.endswith("-user_id") and v == str(last.id))
            return {key.replace("user_id", "role"): role}
        return change
    for n in ("1", "2"):
        role = "deputy" if n == "1" else "member"
        changes = {
            "header": {"project_leader": f"负责人{n}"},
            "funding": {"funding-0-spent": f"90{n}.5", "expenses-0-actual": f"1.{n}"},
            "subs": {"subs-0-name": f"分项{n}"},
            "scores": {f"ind-{leaf_id}-actual": f"完成{n}"},
            "sections": {"sections-0-body": f"正文{n}"},
            "team": team_role(role),
        }
        expected = {
            "header": lambda d, n=n: d["project_leader"] == f"负责人{n}",
            "funding": lambda d, n=n: (d["funding"][0]["spent"], d["expenses"][0]["actual"])
            == (f"90{n}.5", f"1.{n}"),
            "subs": lambda d, n=n: d["sub_projects"][0]["name"] == f"分项{n}",
            "scores": lambda d, n=n: _leaves(d)[0]["actual"] == f"完成{n}",
            "sections": lambda d, n=n: d["sections"][0]["body"] == f"正文{n}",
            "team": lambda d, role=role: {m["username"]: m["role"] for m in d["team"]}[
                last_member] == role,
        }
        for tab, change in changes.items():
            before = _content(db_session, evaluation.id)
            response = _save_as_shown(client, base + tab, change)
            assert response.status_code == 302, (tab, response.get_data(as_text=True)[:3000])
            after = _content(db_session, evaluation.id)
            assert expected[tab](after), (tab, n)
            untouched = {k for k in before if k not in _PARTS[tab]}
            assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}, tab


_PARTS = {
    "header": {"project_leader"},
    "funding": {"funding", "expenses"},
    "subs": {"sub_projects"},
    "scores": {"indicators"},
    "sections": {"sections"},
    "team": {"team"},
}


def _leaves(doc):
    out = []

    def walk(nodes):
        for n in nodes:
            if n.get("children"):
                walk(n["children"])
            else:
                out.append(n)

    walk(doc["indicators"])
    return out
