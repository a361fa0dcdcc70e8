"""Audit coverage (issue 9, item 5): refusals (403/409), downloads and exports of reports that
are not public, command-line actions; retention (nothing younger than 180 days is deleted)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.workflow.helpers import S, build_world
from workflow_app.audit.models import AuditEvent


def _events(db_session, action):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def test_a_forbidden_request_is_audited(login, make, db_session):
    preparer = make.user(is_preparer=True)
    db_session.commit()
    assert login(preparer).get("/admin/users").status_code == 403
    (event,) = _events(db_session, "refused")
    assert event.actor_id == preparer.id and event.detail["status"] == 403
    assert event.detail["path"] == "/admin/users"


def test_a_conflicting_transition_is_audited_with_its_evaluation(login, make, db_session):
    world = build_world(make)
    db_session.commit()
    # Approving a draft: not the leader's turn yet (409 or 403 depending on who asks).
    response = login(world.leader).post(
        f"/api/v1/evaluations/{world.evaluation.id}/transitions/approve")
    assert response.status_code in (403, 409)
    (event,) = _events(db_session, "refused")
    assert event.evaluation_id == world.evaluation.id
    assert event.detail["status"] == response.status_code


def test_downloads_of_unpublished_reports_are_audited(login, make, db_session):
    world = build_world(make)
    world.go(S.TEAM_REVIEW)
    db_session.commit()
    client = login(world.member1)
    evaluation_id = world.evaluation.id
    for path in (f"/evaluations/{evaluation_id}/export.json",
                 f"/evaluations/{evaluation_id}/export.xlsx",
                 f"/api/v1/evaluations/{evaluation_id}/document"):
        assert client.get(path).status_code == 200, path
    events = _events(db_session, "download")
    assert [e.detail["what"] for e in events] == ["evaluation_json", "evaluation_xlsx",
                                                  "evaluation_json"]
    assert all(e.actor_id == world.member1.id and e.evaluation_id == evaluation_id
               for e in events)


def test_command_line_actions_are_audited_without_secrets(app, make, db_session):
    make.user(username="cli_target")
    db_session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "unlock", "cli_target"]).exit_code == 0
    changed = runner.invoke(args=["users", "set-password", "cli_target"],
                            input="Cli-secret-99\nCli-secret-99\n")
    assert changed.exit_code == 0, changed.output
    assert runner.invoke(args=["users", "unlock", "nobody"]).exit_code != 0
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    events = _events(db_session, "cli")
    assert [(e.detail["command"], e.detail["outcome"]) for e in events] == [
        ("users unlock", "ok"), ("users set-password", "ok"),
        ("users unlock", "failed: ClickException"), ("audit verify", "ok")]
    assert events[1].detail["params"]["password"] == "***"
    assert "Cli-secret-99" not in str([e.detail for e in db_session.scalars(
        select(AuditEvent))])


def test_audit_events_are_never_deleted_by_the_application(make, db_session):
    """Retention (网络安全法, at least 180 days): the database refuses to change or delete an
    event; archiving older events is an export (docs/audit-retention.md)."""
    world = build_world(make)
    world.go(S.TEAM_REVIEW)
    db_session.commit()
    event_id = db_session.scalars(select(AuditEvent.id)).first()
    try:
        with db_session.begin_nested():
            db_session.execute(text(f"UPDATE audit_events SET reason = 'x' WHERE id = {event_id}"))
    except DBAPIError:
        pass
    else:
        raise AssertionError("an audit event was changed")
    db_session.rollback()
    if db_session.get_bind().dialect.name == "postgresql":
        try:
            with db_session.begin_nested():
                db_session.execute(text(f"DELETE FROM audit_events WHERE id = {event_id}"))
        except DBAPIError:
            pass
        else:
            raise AssertionError("an audit event was deleted")


def test_archiving_is_a_verifiable_copy(app, make, db_session, tmp_path):
    import json

    world = build_world(make)
    world.go(S.TEAM_REVIEW)
    db_session.commit()
    before = db_session.scalars(select(AuditEvent.id)).all()
    out = tmp_path / "archive.jsonl"
    result = app.test_cli_runner().invoke(args=["audit", "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == sorted(before)
    for previous, line in zip(lines, lines[1:], strict=False):
        assert line["prev_hash"] == previous["hash"]
    kept = db_session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    assert kept[:len(before)] == sorted(before)  # a copy: nothing was removed
    bad = app.test_cli_runner().invoke(args=["audit", "export", "--since", "x", "-o",
                                             str(out)])
    assert bad.exit_code != 0 and "日期格式" in bad.output
