"""Issue 9 item 6c: `flask integrity verify` names the first fault of each check and exits 1.

Every case tampers with the committed demo database behind the application (its own owner
connection, the tables' triggers off) the way the assessors did with psql, then runs the
command. TAMPER_CASES is the list the closing note counts (tried / detected).
"""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text

from workflow_app.evaluations.models import Indicator
from workflow_app.extensions import db
from workflow_app.integrity import verify
from workflow_app.workflow.models import Revision, Signature


def _leaf(evaluation) -> Indicator:
    return next(i for i in sorted(evaluation.indicators, key=lambda i: i.id)
                if not i.children and i.actual)


def _revision(evaluation) -> Revision:
    return db.session.scalar(select(Revision).where(
        Revision.evaluation_id == evaluation.id, Revision.number == evaluation.revision_number))


def _signature(evaluation, kind="sign") -> Signature:
    return db.session.scalar(select(Signature).where(
        Signature.revision_id == _revision(evaluation).id, Signature.kind == kind)
        .order_by(Signature.id).limit(1))


# Each case: (approved evaluation's state, check that must fault, words the fault names,
# function(demo evaluation) -> (sql, tables, params)).
def _indicator_name(e):
    leaf = _leaf(e)
    return ("UPDATE indicators SET name = '改过的名称' WHERE id = :id", ("indicators",),
            {"id": leaf.id}, ["改过的名称", leaf.name])


def _indicator_actual(e):
    leaf = _leaf(e)
    return ("UPDATE indicators SET actual = '100%（改）' WHERE id = :id", ("indicators",),
            {"id": leaf.id}, ["实际完成值", leaf.name])


def _indicator_target(e):
    leaf = _leaf(e)
    return ("UPDATE indicators SET target = '≥1%' WHERE id = :id", ("indicators",),
            {"id": leaf.id}, ["指标值", leaf.name])


def _indicator_score(e):
    leaf = _leaf(e)
    return ("UPDATE indicators SET score = 0 WHERE id = :id", ("indicators",),
            {"id": leaf.id}, ["得分", leaf.name])


def _funding(e):
    return ("UPDATE funding_sources SET spent = spent + 1 WHERE evaluation_id = :id",
            ("funding_sources",), {"id": e.id}, ["资金", "执行数"])


def _expense(e):
    return ("UPDATE expense_lines SET actual = 999 WHERE evaluation_id = :id",
            ("expense_lines",), {"id": e.id}, ["支出明细"])


def _sub_project(e):
    return ("UPDATE sub_projects SET budget = budget + 10 WHERE id = (SELECT min(id) FROM "
            "sub_projects WHERE evaluation_id = :id)", ("sub_projects",), {"id": e.id},
            ["分项项目", "预算数"])


def _section(e):
    return ("UPDATE sections SET body = '改写的结论' WHERE id = (SELECT min(id) FROM sections "
            "WHERE evaluation_id = :id)", ("sections",), {"id": e.id}, ["报告正文", "正文"])


def _team_role(e):
    member = next(m for m in e.team if m.role.value == "member")
    return ("UPDATE team_members SET role = 'deputy' WHERE id = :id", ("team_members",),
            {"id": member.id}, ["评价工作组", "组内职务"])


def _team_removed(e):
    member = next(m for m in e.team if m.role.value == "member")
    return ("DELETE FROM team_members WHERE id = :id", ("team_members",), {"id": member.id},
            ["评价工作组", "不在现行工作组中", member.user.username])


def _header(e):
    return ("UPDATE evaluations SET project_name = '改过的项目名' WHERE id = :id",
            ("evaluations",), {"id": e.id}, ["项目名称", "改过的项目名"])


def _header_leader(e):
    return ("UPDATE evaluations SET project_leader = '冒名' WHERE id = :id",
            ("evaluations",), {"id": e.id}, ["项目负责人"])


CONTENT_CASES = {
    "indicator name": ("finance_acceptance", _indicator_name),
    "indicator actual": ("finance_acceptance", _indicator_actual),
    "indicator target": ("published", _indicator_target),
    "indicator score": ("published", _indicator_score),
    "funding amount": ("finance_acceptance", _funding),
    "expense line": ("leader_signoff", _expense),
    "sub-project budget": ("finance_acceptance", _sub_project),
    "report section": ("published", _section),
    "team role": ("finance_acceptance", _team_role),
    "team member removed": ("leader_signoff", _team_removed),
    "header project name": ("published", _header),
    "header project leader": ("team_review", _header_leader),
}


def test_the_untouched_demo_database_passes(demo, verify_cli):
    code, output = verify_cli()
    assert code == 0, output
    assert "异常" not in output and "完整性校验通过" in output
    stored = verify.last_result()
    assert stored["ok"] is True and stored["faults"] == {}
    assert stored["checked"]["signatures"] >= 10 and stored["checked"]["content"] == 4
    assert stored["checked"]["reports"] == 1


@pytest.mark.parametrize("case", sorted(CONTENT_CASES))
def test_changed_content_of_a_submitted_evaluation_is_named(case, demo, tamper, verify_cli):
    state, build = CONTENT_CASES[case]
    evaluation = demo[state]
    sql, tables, params, words = build(evaluation)
    tamper(sql, *tables, **params)
    code, output = verify_cli()
    assert code == 1, output
    line = next(x for x in output.splitlines() if x.startswith("已提交内容"))
    assert "异常" in line and f"评价 #{evaluation.id}" in line
    for word in words:
        assert word in line, (word, line)
    assert verify.last_result()["faults"]["content"]["evaluation_id"] == evaluation.id


def test_a_recomputed_snapshot_and_hash_are_caught_by_the_revision_mac(demo, tamper,
                                                                      verify_cli):
    evaluation = demo["published"]
    revision = _revision(evaluation)
    doc = json.loads(revision.snapshot)
    doc["project_name"] = "改过的项目名"
    snapshot = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(snapshot.encode()).hexdigest()
    tamper("UPDATE evaluations SET project_name = '改过的项目名' WHERE id = :e", "evaluations",
           e=evaluation.id)
    tamper("UPDATE revisions SET snapshot = :s, content_hash = :h WHERE id = :id", "revisions",
           s=snapshot, h=digest, id=revision.id)
    code, output = verify_cli()
    assert code == 1
    line = next(x for x in output.splitlines() if x.startswith("修订版本"))
    assert "异常" in line and "提交校验码不符" in line and f"评价 #{evaluation.id}" in line
    assert "签字与审定校验码：异常" in output  # the signatures name the old hash


def test_a_changed_snapshot_no_longer_matches_its_hash(demo, tamper, verify_cli):
    revision = _revision(demo["finance_acceptance"])
    tamper("UPDATE revisions SET snapshot = replace(snapshot, '优秀', '良好') WHERE id = :id",
           "revisions", id=revision.id)
    code, output = verify_cli()
    assert code == 1 and "快照与其内容哈希不符" in output


def test_an_inserted_signature_is_detected(demo, tamper, verify_cli):
    evaluation = demo["team_review"]
    revision = _revision(evaluation)
    signed = {s.member_id for s in revision.signatures}
    outsider = next(m.user_id for m in evaluation.team
                    if m.user_id not in signed and m.role.value != "leader")
    tamper("INSERT INTO signatures (revision_id, member_id, signer_id, team_role, kind, "
           "content_hash, signed_at, client_address, comment, mac, mac_key_id) VALUES "
           "(:r, :m, :m, 'member', 'sign', :h, :t, '127.0.0.1', '', :mac, :k)", "signatures",
           r=revision.id, m=outsider, h=revision.content_hash, t="2026-12-01 08:00:00.000000",
           mac="ab" * 32, k=revision.mac_key_id)
    code, output = verify_cli()
    assert code == 1
    line = next(x for x in output.splitlines() if x.startswith("签字与审定"))
    assert "异常" in line and f"{outsider} 号用户" in line and "校验码不符" in line


def test_a_signature_without_a_mac_is_refused_by_the_database(demo, tamper):
    from sqlalchemy.exc import IntegrityError

    revision = _revision(demo["team_review"])
    with pytest.raises(IntegrityError):
        tamper("INSERT INTO signatures (revision_id, member_id, signer_id, team_role, kind, "
               "content_hash, signed_at, client_address, comment) VALUES "
               "(:r, :m, :m, 'member', 'sign', :h, :t, '', '')", "signatures",
               r=revision.id, m=revision.submitted_by_id, h=revision.content_hash,
               t="2026-12-01 08:00:00.000000")


SIGNATURE_CHANGES = {
    "member": "member_id = (SELECT id FROM users WHERE id <> signatures.member_id "
              "ORDER BY id LIMIT 1)",
    "signer": "signer_id = (SELECT id FROM users WHERE id <> signatures.signer_id "
              "ORDER BY id LIMIT 1)",
    "time": "signed_at = '2021-01-01 00:00:00.000000'",
    "hash": "content_hash = :fake",
    "comment": "comment = '不同意'",
}


@pytest.mark.parametrize("field", sorted(SIGNATURE_CHANGES))
def test_a_changed_signature_is_detected(field, demo, tamper, verify_cli):
    signature = _signature(demo["finance_acceptance"])
    tamper(f"UPDATE signatures SET {SIGNATURE_CHANGES[field]} WHERE id = :id", "signatures",
           id=signature.id, **({"fake": "c" * 64} if field == "hash" else {}))
    code, output = verify_cli()
    assert code == 1
    line = next(x for x in output.splitlines() if x.startswith("签字与审定"))
    assert "异常" in line and f"签字 id={signature.id}" in line
    assert verify.last_result()["faults"]["signatures"]["signature_id"] == signature.id


def test_a_changed_approval_is_detected(demo, tamper, verify_cli):
    revision = _revision(demo["finance_acceptance"])
    tamper("UPDATE revisions SET approved_at = '2021-01-01 00:00:00.000000' WHERE id = :id",
           "revisions", id=revision.id)
    code, output = verify_cli()
    assert code == 1 and "审定校验码不符" in output


def test_a_state_jumped_past_the_signatures_is_detected(demo, tamper, verify_cli):
    evaluation = demo["team_review"]
    tamper("UPDATE evaluations SET state = 'finance_acceptance' WHERE id = :id",
           "evaluations", id=evaluation.id)
    code, output = verify_cli()
    assert code == 1
    line = next(x for x in output.splitlines() if x.startswith("已提交内容"))
    assert "没有签字" in line and f"评价 #{evaluation.id}" in line


def test_a_replaced_pdf_and_its_hash_are_detected(demo, tamper, verify_cli):
    forged = b"%PDF-1.4\n% forged\n%%EOF\n"
    tamper("UPDATE published_reports SET pdf = :pdf, sha256 = :h", "published_reports",
           pdf=forged, h=hashlib.sha256(forged).hexdigest())
    code, output = verify_cli()
    assert code == 1
    line = next(x for x in output.splitlines() if x.startswith("公开报告"))
    assert "异常" in line and "审计记录中的哈希" in line


def test_a_replaced_pdf_alone_is_detected(demo, tamper, verify_cli):
    tamper("UPDATE published_reports SET pdf = :pdf", "published_reports",
           pdf=b"%PDF-1.4\n% forged\n%%EOF\n")
    code, output = verify_cli()
    assert code == 1 and "PDF 与其记录的 SHA-256 不符" in output


@pytest.mark.parametrize(("sql", "column"), [
    ("UPDATE evaluations SET self_total = 99 WHERE state = 'finance_acceptance'", "self_total"),
    ("UPDATE evaluations SET grade = '差' WHERE state = 'published'", "grade"),
    ("UPDATE evaluations SET computed_total = 1 WHERE state = 'draft'", "computed_total"),
    ("UPDATE published_reports SET total_score = 59", "total_score"),
])
def test_a_changed_stored_score_is_detected(sql, column, demo, tamper, verify_cli):
    table = sql.split()[1]
    tamper(sql, table)
    code, output = verify_cli()
    assert code == 1
    line = next(x for x in output.splitlines() if x.startswith("存储的得分"))
    assert "异常" in line and column in line


def test_an_altered_audit_event_is_named(demo, tamper, verify_cli):
    event_id = db.session.scalar(text("SELECT min(id) + 2 FROM audit_events"))
    tamper("UPDATE audit_events SET reason = '改过' WHERE id = :id", "audit_events", id=event_id)
    code, output = verify_cli()
    assert code == 1 and f"审计链：异常 — 第一条异常记录 id={event_id}" in output


def test_changed_evidence_bytes_are_detected(demo, tamper, verify_cli):
    from workflow_app.evaluations.models import Evidence

    leaf = _leaf(demo["draft"])
    data = b"scan of the contract"
    db.session.add(Evidence(indicator=leaf, filename="合同.pdf", content_type="application/pdf",
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data))
    db.session.commit()
    assert verify_cli()[0] == 0
    tamper("UPDATE evidence SET data = :d", "evidence", d=b"another file")
    code, output = verify_cli()
    assert code == 1 and "合同.pdf" in output


def test_the_audit_page_shows_the_last_result(demo, tamper, verify_cli, login, make):
    auditor = make.user(demo["draft"].unit, is_audit_admin=True, name="审计员")
    db.session.commit()
    tamper("UPDATE evaluations SET self_total = 1 WHERE state = 'published'", "evaluations")
    assert verify_cli()[0] == 1
    page = login(auditor).get("/audit/").get_data(as_text=True)
    assert 'data-integrity="fault"' in page and "self_total" in page


def test_the_nightly_job_uses_the_full_check(demo, tamper, app):
    from workflow_app.jobs import tasks

    assert tasks.integrity_check()["ok"] is True
    tamper("UPDATE evaluations SET self_total = 1 WHERE state = 'published'", "evaluations")
    result = tasks.integrity_check()
    assert result["ok"] is False and "异常" in result["message"]
    assert verify.last_result()["ok"] is False


def test_a_history_of_returns_and_resignings_verifies_clean(make, db_session, verify_cli):
    """The revision-history check passes the real paths: a withdrawal, a member's return, a
    leader's return after the signatures, the finance bureau's return after approval, and the
    signatures given again on each new revision — then names a return nobody recorded."""
    from tests.workflow.helpers import S, build_world
    from workflow_app.workflow.operations import fire

    world = build_world(make)
    e = world.evaluation
    fire(e, "submit", world.preparer)
    fire(e, "withdraw", world.preparer)
    fire(e, "submit", world.preparer)
    fire(e, "return", world.member1, reason="指标值有误")
    fire(e, "submit", world.preparer)
    fire(e, "sign", world.member1)
    fire(e, "sign", world.member2)
    fire(e, "return", world.leader, reason="佐证不足")
    world.go(S.FINANCE_ACCEPTANCE)
    fire(e, "return", world.finance, reason="请补充说明")
    world.go(S.PUBLISHED)
    db_session.commit()
    assert e.revision_number == 5
    code, output = verify_cli()
    assert code == 0, output

    db_session.execute(text("UPDATE revisions SET returned_at = NULL WHERE evaluation_id = :e "
                            "AND number = 2"), {"e": e.id})
    db_session.commit()
    code, output = verify_cli()
    assert code == 1 and "第 2 版没有退回记录" in output, output
