"""What real reports hold that the model could not (issue 8, item 5): team members from
another unit of the same bureau, names with inner blanks, a blank expense plan, address and
postcode, the title word, a 一等级…四等级 scheme — in the database, the JSON document,
the Excel 自评表, the pages and the PDF."""

from __future__ import annotations

import copy
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.reports.fixtures import sample_record, seed001_doc
from tests.workflow.helpers import S, build_world
from workflow_app.evaluations import operations as ops
from workflow_app.evaluations.access import can_view, visible_evaluations
from workflow_app.evaluations.document import DocumentError, apply_document, to_document
from workflow_app.evaluations.models import Evaluation, ExpenseLine, ReportTitleWord
from workflow_app.exchange.excel import apply_sheet, export_document_xlsx, read_xlsx
from workflow_app.extensions import db
from workflow_app.reports.render import render_report, report_title
from workflow_app.reports.values import keep_spaces
from workflow_app.review import review_document
from workflow_app.workflow.operations import fire
from workflow_app.workflow.states import TeamRole

GRADE_LEVELS = {"name": "一等级至四等级（90/80/60）",
                "bands": [{"name": "一等级", "min": "90"}, {"name": "二等级", "min": "80"},
                          {"name": "三等级", "min": "60"}, {"name": "四等级", "min": "0"}]}


def _apply(evaluation, doc, **kwargs) -> None:
    """apply_document onto an existing draft (its team left out: it is replaced in place)."""
    apply_document(evaluation, {**copy.deepcopy(doc), "team": []}, users_by_username={},
                   **kwargs)
    db.session.flush()


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def world(make, db_session):
    return build_world(make)


# --------------------------------------------------------------------------- external members


@pytest.fixture
def expert(world, make):
    """An expert of the 绩效评估中心, a unit under the same finance bureau."""
    centre = make.unit(name="石家庄市预算绩效评估中心", bureau=world.evaluation.unit.bureau)
    return make.user(centre, name="评估专家")


def test_a_member_from_another_unit_of_the_bureau_joins_the_team(world, expert):
    e = world.evaluation
    assert expert in ops.team_candidates(e.unit)
    rows = [{"user_id": str(m.user_id), "role": m.role.value} for m in e.team]
    ops.set_team(e, world.preparer, e.version, rows + [{"user_id": str(expert.id),
                                                        "role": "member"}])
    assert e.member_for(expert) is not None
    # A user of a unit under another bureau is not a candidate.
    assert world.other_finance not in ops.team_candidates(e.unit)


def test_the_external_member_sees_only_the_evaluations_of_their_teams(world, expert, make):
    e = world.evaluation
    other = make.evaluation(e.unit, preparer=world.preparer)  # same unit, expert not on it
    assert not can_view(expert, e)
    e.team.append(type(e.team[0])(user=expert, role=TeamRole.MEMBER, position=9))
    db.session.flush()
    assert can_view(expert, e) and not can_view(expert, other)
    visible = list(db.session.scalars(visible_evaluations(expert)))
    assert e in visible and other not in visible
    colleague = make.user(expert.unit)
    assert not can_view(colleague, e)


def test_the_external_member_signs_through_the_pages(world, expert, login):
    e = world.evaluation
    e.team.append(type(e.team[0])(user=expert, role=TeamRole.MEMBER, position=9))
    db.session.flush()
    fire(e, "submit", world.preparer)
    db.session.commit()
    client = login(expert)
    assert client.get(f"/evaluations/{e.id}").status_code == 200
    assert client.post(f"/evaluations/{e.id}/transitions/sign", data={}).status_code in (200, 302)
    db.session.expire_all()
    fire(e, "sign", world.member1)
    fire(e, "sign", world.member2)
    assert db.session.get(Evaluation, e.id).state == S.LEADER_SIGNOFF
    assert login(world.outsider).get(f"/evaluations/{e.id}").status_code == 404


# --------------------------------------------------------------------------- names as typed


def test_names_keep_their_inner_blanks(world, make, login):
    padded = make.user(world.evaluation.unit, name="王  磊")
    world.evaluation.team.append(type(world.evaluation.team[0])(
        user=padded, role=TeamRole.MEMBER, position=9))
    db.session.commit()
    doc = to_document(world.evaluation)
    assert "王  磊" in [m["name"] for m in doc["team"]]
    html = login(world.preparer).get(f"/evaluations/{world.evaluation.id}").get_data(as_text=True)
    assert '<td class="typed-name">王  磊</td>' in html
    assert keep_spaces("王  磊") == "王&nbsp;&nbsp;磊"


# --------------------------------------------------------------------------- blank plan


def test_a_blank_expense_plan_is_null_not_zero(world, login):
    e = world.evaluation
    ops.set_expenses(e, world.preparer, e.version, [
        {"category": "办公费", "planned": "2", "actual": "1.5"},
        {"category": "差旅费", "planned": "", "actual": "0.8"}])
    db.session.commit()
    db.session.expire_all()
    lines = db.session.get(Evaluation, e.id).expenses
    assert [x.planned for x in lines] == [Decimal("2"), None]
    doc = to_document(db.session.get(Evaluation, e.id))
    assert doc["expenses"][1] == {"category": "差旅费", "planned": None, "actual": "0.8"}
    html = login(world.preparer).get(f"/evaluations/{e.id}").get_data(as_text=True)
    assert '<td>差旅费</td><td class="num"></td><td class="num">0.8</td>' in html
    # The review does not take the blank for a plan of 0 (no "over plan" warning).
    assert [f.path for f in review_document(doc) if f.code == "expense_line_over_plan"] == []


def test_a_blank_plan_round_trips_through_json_and_prints_blank(world):
    e = world.evaluation
    doc = to_document(e)
    doc["expenses"] = [{"category": "差旅费", "planned": None, "actual": "0.8"}]
    _apply(e, doc)
    assert e.expenses[0].planned is None
    pdf_doc = seed001_doc()
    pdf_doc["expenses"] = [{"category": "差旅费", "planned": None, "actual": "0.8"}]
    text_ = _pdf_text(render_report(pdf_doc, record=sample_record(pdf_doc)))
    # Each cell is a line: 序号, 差旅费, then the actual 0.80 — no plan, no 0, no dash.
    table = text_[text_.index("差旅费"):text_.index("综合评价结果")].split()
    assert table == ["差旅费", "0.80", "合计", "0.80"]


def test_the_database_keeps_a_null_plan_and_refuses_a_negative_one(world):
    e = world.evaluation
    db.session.add(ExpenseLine(evaluation=e, position=1, category="印刷费", planned=None,
                               actual=Decimal(1)))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text(
            f"UPDATE expense_lines SET planned = -1 WHERE evaluation_id = {e.id}"))


# --------------------------------------------------------------------------- address, postcode


def test_address_and_postcode_in_the_header(world, login):
    e = world.evaluation
    data = {"project_name": e.project_name, "kind": "project", "fiscal_year": "2024",
            "timing": "ex_post", "method": "self", "address": "高邑县城区迎宾路 1 号",
            "postcode": "051330"}
    ops.update_header(e, world.preparer, e.version, data)
    assert (e.address, e.postcode) == ("高邑县城区迎宾路 1 号", "051330")
    with pytest.raises(ops.ValidationFailed) as refused:
        ops.update_header(e, world.preparer, e.version, {**data, "postcode": "05133"})
    assert refused.value.errors["postcode"] == "邮政编码应为 6 位数字"
    db.session.commit()
    html = login(world.preparer).get(f"/evaluations/{e.id}").get_data(as_text=True)
    assert "高邑县城区迎宾路 1 号 051330" in html
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text(f"UPDATE evaluations SET postcode = '0513' WHERE id = {e.id}"))


def test_header_fields_round_trip_through_json_excel_and_pdf(world):
    e = world.evaluation
    e.address, e.postcode = "石家庄市长安区 8 号", "050011"
    e.title_word = ReportTitleWord.EVALUATION
    db.session.flush()
    doc = to_document(e)
    assert (doc["address"], doc["postcode"], doc["title_word"]) == (
        "石家庄市长安区 8 号", "050011", "evaluation")
    # JSON: a fresh evaluation takes them back; a bad postcode is a clear error.
    e.address, e.postcode, e.title_word = "", "", ReportTitleWord.SELF_EVALUATION
    _apply(e, doc)
    assert (e.address, e.postcode, e.title_word) == ("石家庄市长安区 8 号", "050011",
                                                      ReportTitleWord.EVALUATION)
    with pytest.raises(DocumentError, match="6 位数字邮政编码"):
        _apply(e, {**doc, "postcode": "12ab56"})
    # Excel: exported, read back onto a document that lacks them.
    sheet = read_xlsx(export_document_xlsx(doc))
    bare = {**copy.deepcopy(doc), "address": "", "postcode": "", "title_word": "self_evaluation"}
    back = apply_sheet(bare, sheet)
    assert (back["address"], back["postcode"], back["title_word"]) == (
        "石家庄市长安区 8 号", "050011", "evaluation")
    # PDF: the cover prints them, the title ends in 评价报告.
    pdf_doc = {**seed001_doc(), "address": "石家庄市长安区 8 号", "postcode": "050011",
               "title_word": "evaluation"}
    printed = _pdf_text(render_report(pdf_doc, record=sample_record(pdf_doc)))
    assert "石家庄市长安区" in printed and "050011" in printed
    assert report_title(pdf_doc).endswith("整体支出绩效评价报告")
    assert "绩效评价报告" in printed.replace(" ", "").replace("\n", "")


def test_the_title_word(world):
    e = world.evaluation
    assert e.title.endswith("预算绩效自评报告")
    e.title_word = ReportTitleWord.EVALUATION
    assert e.title.endswith("预算绩效评价报告")
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text(f"UPDATE evaluations SET title_word = '总结' WHERE id = {e.id}"))


# --------------------------------------------------------------------------- 一等级 schemes


def test_a_scheme_of_levels_round_trips_and_grades(world):
    e = world.evaluation
    doc = to_document(e)
    doc["grade_scheme"] = GRADE_LEVELS
    scheme = ops.ensure_grade_scheme(GRADE_LEVELS)
    _apply(e, doc, grade_scheme=scheme)
    again = to_document(e)
    assert again["grade_scheme"]["bands"][0] == {"name": "一等级", "min": "90"}
    from workflow_app.evaluations.scoring import score_document

    assert score_document(again).entered_grade == "一等级"  # 60 + 38 = 98
    # Excel prints the grade; the review checks a text that names another level.
    assert read_xlsx(export_document_xlsx(again)).rows
    again["sections"] = [{"key": "conclusion", "title": "结论",
                          "body": "自评得分98分，评价等级为二等级。"}]
    found = [f for f in review_document(again) if f.code == "grade_claim_mismatch"]
    assert len(found) == 1 and "「一等级」" in found[0].message
    again["sections"][0]["body"] = "自评得分98分，评价等级为一等级。"
    assert [f for f in review_document(again) if f.code == "grade_claim_mismatch"] == []
    pdf_doc = {**seed001_doc(), "grade_scheme": GRADE_LEVELS}
    printed = _pdf_text(render_report(pdf_doc, record={**sample_record(pdf_doc),
                                                       "grade": "一等级"}))
    assert "一等级" in printed
