"""The read page's body and the content document are remembered per content version: a
repeated read loads no indicator, and every edit, comment or rename shows on the next read."""

from __future__ import annotations

import re
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from tests.htmlforms import form_data
from workflow_app.evaluations import readcache
from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.report_body import threads_marker
from workflow_app.extensions import db
from workflow_app.workflow import operations as wf


def _indicator_rows_read(statements: list[str]) -> int:
    return sum(1 for s in statements if "FROM indicators" in s and "indicators.name" in s)


def test_a_repeated_read_loads_no_indicator_and_shows_the_same(seed001, login, db_session,
                                                               count_queries):
    evaluation, preparer = seed001
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}"
    first = client.get(url).get_data(as_text=True)
    with count_queries() as again:
        second = client.get(url).get_data(as_text=True)
    assert second == first
    assert _indicator_rows_read(again.statements) == 0
    assert 'id="indicator-table"' in second and "田伟鑫" in second


def test_every_edit_shows_on_the_next_read(seed001, login, db_session):
    evaluation, preparer = seed001
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}"
    assert "王负责" not in client.get(url).get_data(as_text=True)
    for name in ("王负责", "李负责"):  # twice: the second edit of a remembered body too
        edit = f"/evaluations/{evaluation.id}/edit/header"
        fields = dict(form_data(client.get(edit).get_data(as_text=True)))
        fields["project_leader"] = name
        assert client.post(edit, data=fields).status_code in (200, 302)
        page = client.get(url).get_data(as_text=True)
        assert name in page
    # A score typed in the scores tab shows in the table at once.
    edit = f"/evaluations/{evaluation.id}/edit/scores"
    fields = form_data(client.get(edit).get_data(as_text=True))
    score_field = next(k for k, _ in fields if re.fullmatch(r"ind-\d+-score", k))
    changed = MultiDict([(k, "0.25" if k == score_field else v) for k, v in fields])
    assert client.post(edit, data=changed).status_code in (200, 302)
    page = client.get(url).get_data(as_text=True)
    assert ">0.25<" in page


def test_a_comment_and_a_rename_show_on_the_next_read(seed001, login, db_session, monkeypatch):
    minute = [1000]  # pinned: a real minute's end must not decide the test
    monkeypatch.setattr(readcache, "this_minute", lambda: minute[0])
    evaluation, preparer = seed001
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}"
    client.get(url)
    wf.add_comment(evaluation, preparer, "1", "请补充佐证材料的来源")
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'id="thread-1"' in page and "请补充佐证材料的来源" in page
    # A member renamed outside the evaluation (no edit of it): seen within the minute.
    member = next(m.user for m in evaluation.team if m.user.username == "member1")
    old = member.name
    member.name = "改名后的组员"
    db.session.commit()
    assert old in client.get(url).get_data(as_text=True)  # within the minute
    minute[0] += 1
    assert "改名后的组员" in client.get(url).get_data(as_text=True)


def test_writes_and_commands_never_use_the_memo(seed001, app, db_session):
    evaluation, _ = seed001
    db_session.commit()
    assert readcache.content_key(evaluation) is None  # no request
    with app.test_request_context("/", method="POST"):
        assert readcache.content_key(evaluation) is None
        assert to_document(evaluation) is not to_document(evaluation)
    with app.test_request_context("/", method="GET"):
        key = readcache.content_key(evaluation)
        assert key[:2] == (evaluation.id, evaluation.version)
        assert to_document(evaluation) is to_document(evaluation)
        evaluation.project_leader = "未保存的修改"
        assert readcache.content_key(evaluation) is None  # unsaved changes: never remembered
    db_session.rollback()


def test_the_threads_marker_names_every_comment():
    class C:
        def __init__(self, id_):
            self.id = id_

    assert threads_marker(None) == threads_marker({}) == ()
    one = threads_marker({"1.2": [C(5)], "1": [C(3), C(4)]})
    assert one == (("1", (3, 4)), ("1.2", (5,)))
    assert threads_marker({"1": [C(3), C(4), C(9)], "1.2": [C(5)]}) != one


def test_the_live_preview_reads_the_stored_content_of_this_version(seed001, login, db_session,
                                                                   count_queries):
    """The score preview (a POST that saves nothing) uses the remembered document and ids:
    a repeat loads no indicator row, and after a save it scores the new content."""
    evaluation, preparer = seed001
    db_session.commit()
    client = login(preparer)
    leaves = [i for i in evaluation.indicators if i.is_leaf]
    one, other = leaves[0], next(i for i in leaves[1:] if i.score)
    saved_score = other.score
    url = f"/evaluations/{evaluation.id}/score-preview"
    first = client.post(url, data={f"ind-{one.id}-score": "0"}).get_json()
    with count_queries() as again:
        second = client.post(url, data={f"ind-{one.id}-score": "0"}).get_json()
    assert second == first and _indicator_rows_read(again.statements) == 0
    assert not any("FROM indicators" in s for s in again.statements)
    # Another leaf's score saved through the editor: the next preview adds the new value.
    edit = f"/evaluations/{evaluation.id}/edit/scores"
    fields = MultiDict([(k, "0" if k == f"ind-{other.id}-score" else v)
                        for k, v in form_data(client.get(edit).get_data(as_text=True))])
    assert client.post(edit, data=fields).status_code in (200, 302)
    after = client.post(url, data={f"ind-{one.id}-score": "0"}).get_json()
    assert Decimal(after["entered_total"]) == Decimal(first["entered_total"]) - saved_score
    assert after["version"] > first["version"]
