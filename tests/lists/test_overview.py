"""统计汇总 at /overview: per-unit progress, charts, drill-down, the 汇总表 and 抽查."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import g
from openpyxl import load_workbook
from sqlalchemy import select, text, update

from tests.factories import walk_states
from tests.lists.helpers import bulk_evaluations
from workflow_app.audit.models import AuditEvent
from workflow_app.evaluations.models import Evaluation, FundingSource, FundingSourceKind
from workflow_app.extensions import db
from workflow_app.overview import queries, sampling
from workflow_app.overview.models import SpotCheck
from workflow_app.workflow.errors import PermissionDenied, WorkflowError
from workflow_app.workflow.operations import set_due_date
from workflow_app.workflow.states import EvaluationState

S = EvaluationState
YEAR = 2023


@pytest.fixture
def bureau(world, make):
    """The world's bureau with a second unit (named like a formula) and a third with nothing."""
    w = world
    second = make.unit(name="=HYPERLINK(\"http://x\")局", bureau=w.evaluation.unit.bureau)
    third = make.unit(name="没有评价的单位", bureau=w.evaluation.unit.bureau)
    scheme = w.evaluation.grade_scheme
    first = w.evaluation.unit
    plan = [  # unit, state, total, grade, spent of 100
        (first, S.DRAFT, None, None, None),
        (first, S.TEAM_REVIEW, "70", "一般", None),
        (first, S.FINANCE_ACCEPTANCE, "91", "优秀", "95"),
        (first, S.ACCEPTED, "86", "优秀", "60"),
        (first, S.PUBLISHED, "78", "良好", "80"),
        (second, S.ACCEPTED, "55", "较差", "30"),
        (second, S.PUBLISHED, "88", "优秀", None),
    ]
    ids = []
    for unit, state, total, grade, spent in plan:
        e = make.evaluation(unit, preparer=w.preparer)
        db.session.execute(update(Evaluation).where(Evaluation.id == e.id).values(
            fiscal_year=YEAR, grade=grade, grade_scheme_id=scheme.id,
            self_total=Decimal(total) if total else None,
            computed_total=Decimal(total) if total else None, open_leaves=0))
        if spent is not None:
            db.session.add(FundingSource(evaluation_id=e.id, source=FundingSourceKind.OTHER,
                                         planned=Decimal(100), arrived=Decimal(100),
                                         spent=Decimal(spent)))
        db.session.flush()
        walk_states({e.id: state})  # content first: past draft the database refuses it
        ids.append(e.id)
    db.session.commit()
    db.session.expire_all()
    return {"first": first, "second": second, "third": third, "ids": ids}


def test_only_finance_officers_see_the_overview(world, bureau, login):
    assert login(world.finance).get("/overview/").status_code == 200
    for user in (world.preparer, world.leader):
        g.pop("_login_user", None)
        assert login(user).get("/overview/").status_code == 403
        assert login(user).get("/overview/export.xlsx").status_code == 403
        assert login(user).post("/overview/spot-checks", data={"fiscal_year": YEAR,
                                                               "size": 1}).status_code == 403


def test_every_unit_with_its_counts_by_stage(world, bureau):
    set_due_date(world.finance, YEAR, date.today() - timedelta(days=1))
    data = queries.overview(world.finance.unit_id, YEAR, date.today())
    rows = {u.name: (u.in_progress, u.submitted, u.accepted, u.published, u.overdue)
            for u in data.units}
    assert rows[bureau["first"].name] == (2, 1, 1, 1, 3)  # draft, review, acceptance are late
    assert rows[bureau["second"].name] == (0, 0, 1, 1, 0)
    assert rows["没有评价的单位"] == (0, 0, 0, 0, 0)
    assert data.units_not_delivered == 2  # and the outsider's unit, also without any
    assert data.totals.delivered == 5


def test_grades_and_score_bands_count_what_was_submitted(world, bureau):
    data = queries.overview(world.finance.unit_id, YEAR, date.today())
    assert data.grades == [("优秀", 3), ("良好", 1), ("较差", 1)]  # the review's 一般 is not
    bands = {label: count for label, count, _, _ in data.bands}
    assert bands == {"<60": 1, "60–70": 0, "70–80": 1, "80–85": 0, "85–90": 2, "90–95": 1,
                     "95–100": 0}
    points = {(float(rate), float(score)) for _, _, rate, score in data.points}
    assert points == {(95.0, 91.0), (60.0, 86.0), (80.0, 78.0), (30.0, 55.0)}
    assert data.no_funding == 1


def test_the_page_draws_svg_charts_that_drill_down(world, bureau, login):
    client = login(world.finance)
    html = client.get(f"/overview/?year={YEAR}").text
    assert html.count("<svg") >= 3 and "<script>" not in html
    assert re.search(r'data-category="优秀" data-count="3"', html)
    link = re.search(r'<a href="(/\?year=2023&amp;grade=[^"]+)"><rect[^>]*data-category="优秀"',
                     html).group(1).replace("&amp;", "&")
    listed = client.get(link).text
    assert listed.count("data-evaluation-id=") == 3
    band = re.search(r'<a href="([^"]+score_from=85[^"]*)"><rect', html).group(1)
    assert client.get(band.replace("&amp;", "&")).text.count("data-evaluation-id=") == 2
    assert "没有评价的单位" in html and "尚未报送" in html


def test_the_summary_workbook_writes_formulas_as_text(world, bureau, login):
    response = login(world.finance).get(f"/overview/export.xlsx?year={YEAR}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    progress = wb["报送进度"]
    cells = {c.value: c for row in progress.iter_rows() for c in row if c.value is not None}
    formula = cells['=HYPERLINK("http://x")局']
    assert formula.data_type == "s"
    names = [row[0].value for row in wb["评价明细"].iter_rows(min_row=2)]
    assert len(names) == 5 and names.count('=HYPERLINK("http://x")局') == 2
    assert [r[0].value for r in wb["等级分布"].iter_rows(min_row=2)] == ["优秀", "良好", "较差"]


def test_a_spot_check_is_drawn_recorded_audited_and_reproducible(world, bureau, login):
    client = login(world.finance)
    response = client.post("/overview/spot-checks",
                           data={"fiscal_year": YEAR, "size": "2", "seed": "abc-123"},
                           follow_redirects=True)
    assert response.status_code == 200 and "已抽取 2 项" in response.text
    spot = db.session.scalar(select(SpotCheck))
    population = [i for i in bureau["ids"][3:]]  # accepted or published, by id
    assert (spot.seed, spot.size, spot.population, spot.drawn_by_id) == (
        "abc-123", 2, 4, world.finance.id)
    chosen = [item.evaluation_id for item in spot.items]
    assert chosen == sampling.draw(population, "abc-123", 2)
    assert set(chosen) <= set(population)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "spot_check"))
    assert event.detail["items"] == chosen and event.actor_id == world.finance.id
    for eid in chosen:
        assert f'data-evaluation="{eid}"' in response.text
    assert "结果相同" in response.text
    g.pop("_login_user", None)
    assert "abc-123" in client.get(f"/overview/?year={YEAR}").text  # shown afterwards


def test_a_recorded_draw_cannot_be_changed(world, bureau):
    spot = sampling.draw_spot_check(world.finance, YEAR, 1, "s1")
    db.session.commit()
    with pytest.raises(Exception):  # noqa: B017 — the trigger's error differs per database
        db.session.execute(text("UPDATE spot_checks SET seed = 'other' WHERE id = :id"),
                           {"id": spot.id})
        db.session.flush()
    db.session.rollback()
    assert db.session.get(SpotCheck, spot.id).seed == "s1"


@pytest.mark.parametrize(("size", "seed", "message"), [
    ("9", "", "不能超过 2023 年度已验收的评价数（4 项）"),
    ("0", "", "抽查数量应在 1–100 之间"),
    ("x", "", "抽查数量应为整数"),
    ("1", "有空 格", "随机种子只能由"),
])
def test_a_bad_draw_is_refused_and_records_nothing(world, bureau, login, size, seed, message):
    response = login(world.finance).post(
        "/overview/spot-checks", data={"fiscal_year": YEAR, "size": size, "seed": seed},
        follow_redirects=True)
    assert response.status_code == 200 and message in response.text
    assert db.session.scalar(select(SpotCheck)) is None


def test_no_accepted_evaluation_no_draw(world):
    with pytest.raises(WorkflowError, match="没有已验收的评价"):
        sampling.draw_spot_check(world.finance, 2030, 1)
    with pytest.raises(PermissionDenied):
        sampling.draw_spot_check(world.preparer, 2030, 1)


def test_the_overview_costs_the_same_queries_at_10_and_1000(world, bureau, login, count_queries):
    unit = bureau["second"]

    def load(n: int) -> None:
        bulk_evaluations(n, unit_id=unit.id, preparer_id=world.preparer.id,
                         scheme=world.evaluation.grade_scheme, years=(YEAR,))
        db.session.commit()

    client = login(world.finance)

    def measure() -> dict[str, int]:
        counts = {}
        for url in (f"/overview/?year={YEAR}", f"/overview/export.xlsx?year={YEAR}"):
            g.pop("_login_user", None)
            db.session.expire_all()
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts[url] = counter.count
        return counts

    load(3)
    small = measure()
    load(990)
    assert measure() == small
    print("\noverview queries:", small)


def test_the_default_year_is_the_newest_with_something_submitted(world, bureau, login):
    make_draft = world.evaluation  # a draft of 2024: newer, but nothing submitted that year
    assert make_draft.fiscal_year == 2024
    html = login(world.finance).get("/overview/").text
    assert "2023 年度" in html.split("</h1>", 1)[0]
    assert 'value="2024"' in html  # still offered


def test_axis_ticks_are_whole_numbers():
    from workflow_app.overview.charts import _nice_max

    for count in (1, 3, 7, 13, 99, 1234):
        top = _nice_max(count)
        assert top >= count and top % 4 == 0
