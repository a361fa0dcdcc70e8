"""The assessors' tampering, re-run as a tally (issue 9: "20 of 30 statements were accepted
and 18 went undetected").

Every case is what someone with psql does to the demo database, in two ways:

- **as the application's connection** (its credentials leaked; on PostgreSQL a role that owns
  no table): the database refuses the statement, or the statement goes through and
  ``flask integrity verify`` names it;
- **as the tables' owner**, the tables' triggers switched off first (what a DBA can do): the
  statement always goes through, and ``integrity verify`` must name it.

A refusal must be a guard's (a trigger's message or a missing privilege), not a broken
statement (the owner's run of the same statement shows it is a valid one); a detection must
come from the check that owns what was changed (the audit chain, its checkpoints, the
submitted content, the MACs, the stored scores, the reports, the evidence). No case may end
"accepted and undetected". The figures (tried, refused, detected) are printed
in the terminal summary and appended to ``TAMPER_TALLY_FILE`` when set (with xdist each worker
appends its own lines).
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.integrity.conftest import record_tamper
from tests.integrity.test_verify import _leaf, _revision, _signature
from workflow_app.audit import checkpoints, trail
from workflow_app.audit.models import AuditEvent
from workflow_app.extensions import db

FORGED_AT = "2026-12-01 08:00:00.000000"


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _recomputed_chain(start: int, edit: tuple[str, dict] | None = None):
    """The statements that rewrite the chain from ``start`` on so that it verifies again."""
    events = _events()
    prev = events[start - 1].hash if start else trail.GENESIS
    statements = [edit] if edit else []
    for event in events[start:]:
        fields = trail._fields(event)
        if edit and event.id == events[start].id:
            fields["reason"] = "改过的理由"
        digest = trail._event_hash(fields, prev, event.hash_algorithm)
        statements.append(("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id",
                           {"p": prev, "h": digest, "id": event.id}))
        prev = digest
    return statements


def _one(sql: str, **params):
    return [(sql, params)]


# name -> (tables whose triggers the owner switches off, function(demo) -> statements)
CASES = {
    # the audit chain
    "audit: an event's reason edited": (("audit_events",), lambda d: _one(
        "UPDATE audit_events SET reason = '改过' WHERE id = (SELECT min(id) + 2 FROM "
        "audit_events)")),
    "audit: an event edited and the chain recomputed": (("audit_events",), lambda d: (
        _recomputed_chain(2, ("UPDATE audit_events SET reason = '改过的理由' WHERE id = "
                              "(SELECT min(id) + 2 FROM audit_events)", {})))),
    "audit: the newest three events deleted": (("audit_events",), lambda d: _one(
        "DELETE FROM audit_events WHERE id > (SELECT max(id) - 3 FROM audit_events)")),
    "audit: the table emptied": (("audit_events",), lambda d: _one(
        "TRUNCATE audit_events" if db.engine.dialect.name == "postgresql"
        else "DELETE FROM audit_events")),
    "audit: a middle event deleted": (("audit_events",), lambda d: _one(
        "DELETE FROM audit_events WHERE id = (SELECT min(id) + 3 FROM audit_events)")),
    "audit: a forged event appended": (("audit_events",), lambda d: _one(
        "INSERT INTO audit_events (action, actor_role, from_state, to_state, reason, detail, "
        "created_at, prev_hash, hash, hash_algorithm) SELECT 'accept', 'finance', "
        "'finance_acceptance', 'accepted', '', '{}', :t, hash, :h, 'sha256' FROM audit_events "
        "WHERE id = (SELECT max(id) FROM audit_events)", t=FORGED_AT, h="f" * 64)),
    # an approved evaluation's content
    "content: an indicator's name": (("indicators",), lambda d: _one(
        "UPDATE indicators SET name = '改过的名称' WHERE id = :id",
        id=_leaf(d["finance_acceptance"]).id)),
    "content: an indicator's actual value": (("indicators",), lambda d: _one(
        "UPDATE indicators SET actual = '100%（改）' WHERE id = :id",
        id=_leaf(d["finance_acceptance"]).id)),
    "content: an indicator's target": (("indicators",), lambda d: _one(
        "UPDATE indicators SET target = '≥1%' WHERE id = :id", id=_leaf(d["published"]).id)),
    "content: an indicator's score": (("indicators",), lambda d: _one(
        "UPDATE indicators SET score = 0 WHERE id = :id", id=_leaf(d["published"]).id)),
    "content: an indicator's weight": (("indicators",), lambda d: _one(
        "UPDATE indicators SET weight = weight + 1 WHERE id = :id",
        id=_leaf(d["leader_signoff"]).id)),
    "content: an indicator deleted": (("indicators", "evidence"), lambda d: _one(
        "DELETE FROM indicators WHERE id = :id", id=_leaf(d["finance_acceptance"]).id)),
    "content: an indicator inserted": (("indicators",), lambda d: _one(
        "INSERT INTO indicators (evaluation_id, parent_id, level, position, name, description, "
        "standard, weight, target, actual, score, score_reason, deviation_reason, "
        "not_applicable, rule_type, rule_params) SELECT evaluation_id, parent_id, level, 99, "
        "'加塞的指标', '', '', 0, '', '', 0, '', '', not_applicable, rule_type, rule_params "
        "FROM indicators WHERE id = :id", id=_leaf(d["published"]).id)),
    "content: funding spent": (("funding_sources",), lambda d: _one(
        "UPDATE funding_sources SET spent = spent + 1 WHERE evaluation_id = :id",
        id=d["finance_acceptance"].id)),
    "content: funding planned": (("funding_sources",), lambda d: _one(
        "UPDATE funding_sources SET planned = planned * 2 WHERE evaluation_id = :id",
        id=d["published"].id)),
    "content: an expense line": (("expense_lines",), lambda d: _one(
        "UPDATE expense_lines SET actual = 999 WHERE evaluation_id = :id",
        id=d["leader_signoff"].id)),
    "content: a team member's role": (("team_members",), lambda d: _one(
        "UPDATE team_members SET role = 'deputy' WHERE id = :id", id=next(
            m.id for m in d["finance_acceptance"].team if m.role.value == "member"))),
    "content: a team member removed": (("team_members",), lambda d: _one(
        "DELETE FROM team_members WHERE id = :id", id=next(
            m.id for m in d["leader_signoff"].team if m.role.value == "member"))),
    "content: the project name": (("evaluations",), lambda d: _one(
        "UPDATE evaluations SET project_name = '改过的项目名' WHERE id = :id",
        id=d["published"].id)),
    "content: a report section": (("sections",), lambda d: _one(
        "UPDATE sections SET body = '改写的结论' WHERE id = (SELECT min(id) FROM sections "
        "WHERE evaluation_id = :id)", id=d["published"].id)),
    # states and stored scores
    "state: an approved evaluation set back to draft": (("evaluations",), lambda d: _one(
        "UPDATE evaluations SET state = 'draft' WHERE id = :id",
        id=d["finance_acceptance"].id)),
    "state: a return forged (returned mark, next number, draft)": (
        ("revisions", "evaluations"), lambda d: [
            ("UPDATE revisions SET returned_at = :t, return_reason = '退回' WHERE id = :r",
             {"t": FORGED_AT, "r": _revision(d["finance_acceptance"]).id}),
            ("UPDATE evaluations SET state = 'draft', revision_number = revision_number + 1 "
             "WHERE id = :id", {"id": d["finance_acceptance"].id})]),
    "state: the revision number moved on": (("evaluations",), lambda d: _one(
        "UPDATE evaluations SET revision_number = revision_number + 1 WHERE id = :id",
        id=d["leader_signoff"].id)),
    "state: jumped past the signatures": (("evaluations",), lambda d: _one(
        "UPDATE evaluations SET state = 'finance_acceptance' WHERE id = :id",
        id=d["team_review"].id)),
    "score: the stored self-evaluation total": (("evaluations",), lambda d: _one(
        "UPDATE evaluations SET self_total = 99 WHERE id = :id",
        id=d["finance_acceptance"].id)),
    "score: the stored grade": (("evaluations",), lambda d: _one(
        "UPDATE evaluations SET grade = '差' WHERE id = :id", id=d["published"].id)),
    # signatures and revisions
    "signature: a row inserted with a made-up MAC": (("signatures",), lambda d: _one(
        "INSERT INTO signatures (revision_id, member_id, signer_id, team_role, kind, "
        "content_hash, signed_at, client_address, comment, mac, mac_key_id) SELECT r.id, "
        "m.user_id, m.user_id, 'member', 'sign', r.content_hash, :t, '127.0.0.1', '', :mac, "
        "r.mac_key_id FROM revisions r JOIN team_members m ON m.evaluation_id = r.evaluation_id "
        "WHERE r.id = :r AND m.role = 'member' AND m.user_id NOT IN (SELECT member_id FROM "
        "signatures WHERE revision_id = :r) ORDER BY m.id LIMIT 1",
        r=_revision(d["team_review"]).id, t=FORGED_AT, mac="ab" * 32)),
    "signature: a row deleted": (("signatures",), lambda d: _one(
        "DELETE FROM signatures WHERE id = :id", id=_signature(d["finance_acceptance"]).id)),
    "signature: its time changed": (("signatures",), lambda d: _one(
        "UPDATE signatures SET signed_at = '2021-01-01 00:00:00.000000' WHERE id = :id",
        id=_signature(d["finance_acceptance"]).id)),
    "revision: snapshot and hash recomputed together": (("revisions", "evaluations"),
                                                        lambda d: _snapshot_rewrite(d)),
    # published reports and evidence
    "report: the PDF and its hash replaced together": (("published_reports",), lambda d: _one(
        "UPDATE published_reports SET pdf = :pdf, sha256 = :h", pdf=FORGED_PDF,
        h=_sha256(FORGED_PDF))),
    "report: the published score": (("published_reports",), lambda d: _one(
        "UPDATE published_reports SET total_score = 59")),
    "report: the published report deleted": (("published_reports",), lambda d: _one(
        "DELETE FROM published_reports")),
    "evidence: a file's bytes replaced": (("evidence",), lambda d: _one(
        "UPDATE evidence SET data = :data", data=b"another file")),
}

FORGED_PDF = b"%PDF-1.4\n% forged\n%%EOF\n"

# The check of `integrity verify` that must name each case: by the case's kind, and where a
# case is named by another check than its kind's.
_FAULT_BY_KIND = {"audit": "审计链", "content": "已提交内容", "state": "已提交内容",
                  "score": "存储的得分与等级", "signature": "签字与审定校验码",
                  "revision": "修订版本", "report": "公开报告", "evidence": "佐证材料"}
_FAULT_BY_CASE = {
    # the chain alone verifies again: only the checkpoints outside the database tell
    "audit: an event edited and the chain recomputed": "审计链检查点",
    "audit: the newest three events deleted": "审计链检查点",
    "audit: the table emptied": "审计链检查点",
    # a missing signature shows as a state its signatures do not bear out
    "signature: a row deleted": "已提交内容",
    "report: the published score": "存储的得分与等级",
}

# What the database says when it refuses: a guard's trigger, or (PostgreSQL) the missing
# privilege of the application's role. Any other error would mean a broken statement.
GUARD_REFUSAL = re.compile(r"permission denied|content is frozen|append-only|never (?:changes|"
                           r"deleted)|no such state change|opens the next revision")


def _faulted(case: str, output: str) -> bool:
    """The line of the check that must name the case says 异常."""
    check = _FAULT_BY_CASE.get(case) or _FAULT_BY_KIND[case.split(":")[0]]
    return any(line.startswith((f"{check}（", f"{check}：")) and "异常" in line
               for line in output.splitlines())


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _snapshot_rewrite(demo):
    evaluation = demo["published"]
    revision = _revision(evaluation)
    doc = json.loads(revision.snapshot)
    doc["project_name"] = "改过的项目名"
    snapshot = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return [("UPDATE evaluations SET project_name = '改过的项目名' WHERE id = :e",
             {"e": evaluation.id}),
            ("UPDATE revisions SET snapshot = :s, content_hash = :h WHERE id = :id",
             {"s": snapshot, "h": _sha256(snapshot.encode()), "id": revision.id})]


@pytest.fixture
def assessed(demo, verify_cli):
    """The demo with an evidence file, verified clean and checkpointed (as the nightly job
    leaves it), ready to be tampered with."""
    import hashlib

    from workflow_app.evaluations.models import Evidence

    data = b"scan of the contract"
    db.session.add(Evidence(indicator=_leaf(demo["draft"]), filename="合同.pdf",
                            content_type="application/pdf", size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), data=data))
    db.session.commit()
    checkpoints.write()
    code, output = verify_cli()
    assert code == 0, output
    return demo


def _as_application(statements) -> str | None:
    """Run the statements on the application's own connection: the database's refusal, or
    None when it accepted them."""
    db.session.rollback()  # TRUNCATE waits for every open reader of the table
    try:
        with db.engine.begin() as conn:
            for sql, params in statements:
                conn.execute(text(sql), params)
    except DBAPIError as exc:
        return str(exc.orig)
    finally:
        db.session.expire_all()
    return None


@pytest.mark.parametrize("case", list(CASES))
def test_as_the_application_each_statement_is_refused_or_detected(case, assessed, verify_cli):
    _tables, build = CASES[case]
    refusal = _as_application(build(assessed))
    code, output = verify_cli()
    detected = refusal is None and code == 1 and _faulted(case, output)
    record_tamper("application", refused=refusal is not None, detected=detected)
    if refusal is not None:
        assert GUARD_REFUSAL.search(refusal), f"{case}: refused for another reason: {refusal}"
        assert code == 0, f"{case}: refused, yet the database no longer verifies\n{output}"
    else:
        assert detected, f"{case}: accepted and not named by its check\n{output}"


@pytest.mark.parametrize("case", list(CASES))
def test_as_the_owner_with_the_triggers_off_each_statement_is_detected(case, assessed, tamper,
                                                                       verify_cli):
    tables, build = CASES[case]
    db.session.rollback()
    tamper(build(assessed), *tables)
    code, output = verify_cli()
    detected = code == 1 and _faulted(case, output)
    record_tamper("owner", refused=False, detected=detected)
    assert detected, f"{case}: not named by its check\n{output}"
