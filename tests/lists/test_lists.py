"""工作台 and 我的待办 at scale: search, filters, sorting and columns in SQL, counts from COUNT
queries, and the same number of queries at 10 and at 1,000 evaluations."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import g
from sqlalchemy import update

from tests.factories import walk_states
from tests.lists.helpers import bulk_evaluations
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.notifications.inbox import inbox_count, inbox_items
from workflow_app.workflow.operations import set_due_date
from workflow_app.workflow.states import EvaluationState, TeamRole

S = EvaluationState


def _ids(html: str, table: str = "evaluation-list") -> list[int]:
    if f'id="{table}"' not in html:
        return []  # no table: nothing matched
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    attr = "data-evaluation-id" if table == "evaluation-list" else "data-evaluation"
    return [int(x) for x in re.findall(rf'{attr}="(\d+)"', body)]


@pytest.fixture
def office(world, make):
    """The world's unit with three more evaluations of known names, years, states, scores."""
    w = world
    scheme = w.evaluation.grade_scheme
    rows = {}
    for name, year, state, total, grade in (
            ("道路养护经费", 2022, S.FINANCE_ACCEPTANCE, "91.5", "优秀"),
            ("农村饮水工程", 2023, S.ACCEPTED, "72", "一般"),
            ("政务网站运维", 2023, S.PUBLISHED, "84", "良好")):
        e = make.evaluation(w.evaluation.unit, preparer=w.preparer)
        db.session.execute(update(Evaluation).where(Evaluation.id == e.id).values(
            project_name=name, fiscal_year=year, self_total=Decimal(total),
            computed_total=Decimal(total), open_leaves=1, grade=grade, grade_scheme_id=scheme.id))
        walk_states({e.id: state})  # content first: past draft the database refuses it
        rows[name] = e.id
    db.session.commit()
    db.session.expire_all()
    return rows


def test_home_shows_score_grade_deadline_and_next_actor(world, office, login):
    set_due_date(world.finance, 2022, date.today() - timedelta(days=2))
    db.session.commit()
    html = login(world.finance).get("/").text
    row = html.split(f'data-evaluation-id="{office["道路养护经费"]}"', 1)[1].split("</tr>", 1)[0]
    assert "91.5" in row and "优秀" in row and "+1 项待判断" in row
    assert (date.today() - timedelta(days=2)).isoformat() in row and "已逾期" in row
    assert "财政局验收" in row
    published = html.split(f'data-evaluation-id="{office["政务网站运维"]}"', 1)[1]
    assert "已逾期" not in published.split("</tr>", 1)[0]


def test_a_draft_never_scored_shows_not_computed_rather_than_zero(world, login):
    db.session.execute(update(Evaluation).where(Evaluation.id == world.evaluation.id).values(
        self_total=None, computed_total=None, open_leaves=None, grade=None))
    db.session.commit()
    html = login(world.preparer).get("/").text
    assert "未计算" in html
    assert "填报人 填报人甲" in html  # who acts next


def test_home_filters_search_and_sorts_in_sql(world, office, login):
    client = login(world.finance)
    assert sorted(_ids(client.get("/").text)) == sorted(office.values())
    assert _ids(client.get("/?q=饮水").text) == [office["农村饮水工程"]]
    assert sorted(_ids(client.get("/?year=2023").text)) == sorted(
        [office["农村饮水工程"], office["政务网站运维"]])
    assert _ids(client.get("/?state=published").text) == [office["政务网站运维"]]
    assert _ids(client.get("/?kind=unit_whole").text) == []
    by_score = _ids(client.get("/?sort=score&dir=desc").text)
    assert by_score == [office["道路养护经费"], office["政务网站运维"], office["农村饮水工程"]]
    assert _ids(client.get("/?sort=score&dir=asc").text) == by_score[::-1]
    assert _ids(client.get(f"/?unit={world.evaluation.unit_id}&q=道路").text) == [
        office["道路养护经费"]]
    assert _ids(client.get("/?unit=999999").text) == []
    by_state = _ids(client.get("/?sort=state&dir=asc").text)
    assert by_state == [office["道路养护经费"], office["农村饮水工程"], office["政务网站运维"]]
    assert _ids(client.get("/?grade=良好").text) == [office["政务网站运维"]]
    assert _ids(client.get("/?score_from=80&score_to=90").text) == [office["政务网站运维"]]
    assert _ids(client.get("/?sort=due").text) and _ids(client.get("/?sort=name").text)


def test_overdue_filter_keeps_late_evaluations_not_yet_accepted(world, office, login):
    set_due_date(world.finance, 2022, date.today() - timedelta(days=1))
    set_due_date(world.finance, 2023, date.today() - timedelta(days=1))
    db.session.commit()
    # 2023's are accepted / published: not late; 2022's is still awaiting acceptance
    assert _ids(login(world.finance).get("/?overdue=1").text) == [office["道路养护经费"]]


def test_bad_filters_are_ignored_with_a_chinese_note(world, office, login):
    response = login(world.finance).get("/?year=abc&state=nope&sort=drop&page=-3&unit=x")
    assert response.status_code == 200
    for note in ("年度“abc”无效", "状态筛选无效", "排序方式无效", "单位筛选无效"):
        assert note in response.text
    assert sorted(_ids(response.text)) == sorted(office.values())


def test_a_search_with_like_wildcards_matches_them_literally(world, office, login):
    assert _ids(login(world.finance).get("/?q=%25").text) == []
    assert _ids(login(world.finance).get("/?q=_").text) == []


def test_home_paginates_in_sql(world, login):
    bulk_evaluations(60, unit_id=world.evaluation.unit_id, preparer_id=world.preparer.id,
                     scheme=world.evaluation.grade_scheme, states=[S.DRAFT])
    db.session.commit()
    client = login(world.preparer)
    first, third = client.get("/").text, client.get("/?page=3").text
    assert len(_ids(first)) == 25 and len(_ids(third)) == 11
    assert "第 1 / 3 页，共 61 条" in first
    assert not set(_ids(first)) & set(_ids(third))
    assert len(_ids(client.get("/?page=99").text)) == 11  # past the end: the last page


def test_inbox_filters_and_counts_the_todos(world, office, login):
    g.pop("_login_user", None)
    assert inbox_count(world.finance) == 2  # 道路养护 to accept, 农村饮水 to publish
    client = login(world.finance)
    html = client.get("/inbox").text
    assert 'data-count="inbox">2<' in html and "2 项" in html
    assert sorted(_ids(html, "inbox-items")) == sorted(
        [office["道路养护经费"], office["农村饮水工程"]])
    assert _ids(client.get("/inbox?todo=publish").text, "inbox-items") == [office["农村饮水工程"]]
    assert _ids(client.get("/inbox?q=道路").text, "inbox-items") == [office["道路养护经费"]]
    assert _ids(client.get("/inbox?year=2021").text, "inbox-items") == []
    assert "待办类型筛选无效" in client.get("/inbox?todo=hack").text


def test_inbox_puts_overdue_first(world, office, login):
    set_due_date(world.finance, 2023, date.today() + timedelta(days=5))
    set_due_date(world.finance, 2022, date.today() - timedelta(days=5))
    db.session.commit()
    items = inbox_items(world.finance)
    assert [i.evaluation.id for i in items] == [office["道路养护经费"], office["农村饮水工程"]]
    assert items[0].overdue and not items[1].overdue


# --------------------------------------------------------------------------- query counts


def _queries(client, url: str, count_queries) -> int:
    """The statements of one request nothing was remembered for (``memo``: the costliest)."""
    from workflow_app.memo import forget_all

    g.pop("_login_user", None)
    db.session.expire_all()
    forget_all()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


PAGES = ["/", "/?sort=score&dir=asc&year=2023", "/?q=项目&overdue=1&state=draft",
         "/inbox", "/inbox?todo=sign&sort=due", "/?page=2"]


@pytest.mark.parametrize("who", ["preparer", "member1", "leader", "finance"])
def test_each_page_costs_the_same_queries_at_10_and_1000_evaluations(world, login,
                                                                      count_queries, who):
    unit = world.evaluation.unit
    team = [(world.leader.id, TeamRole.LEADER.value), (world.member1.id, TeamRole.MEMBER.value)]
    set_due_date(world.finance, 2023, date.today() - timedelta(days=1))

    def load(n: int) -> None:
        bulk_evaluations(n, unit_id=unit.id, preparer_id=world.preparer.id,
                         scheme=world.evaluation.grade_scheme, team=team)
        db.session.commit()

    user = getattr(world, who)
    load(9)
    client = login(user)
    small = {url: _queries(client, url, count_queries) for url in PAGES}
    load(990)
    large = {url: _queries(client, url, count_queries) for url in PAGES}
    assert large == small
    g.pop("_login_user", None)
    assert inbox_count(user) > 100  # every role has work waiting in the bulk rows
    print(f"\nqueries per page ({who}):", small)
