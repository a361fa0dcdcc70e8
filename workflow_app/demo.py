"""Demo data: a finance bureau, two units, the demo accounts and evaluations built from the
seeds, in states that give every role something to do. Idempotent: what exists is left alone.

Accounts (password demo1234): preparer, member1, member2, leader, finance, and the three
administrators admin (系统), security (安全), auditor (审计). They are marked ``is_demo``: the UI
says so, and they are not forced to change the published password.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from workflow_app.auth.models import User
from workflow_app.evaluations.frameworks import FRAMEWORKS, load_framework
from workflow_app.evaluations.models import Evaluation, IndicatorTemplate
from workflow_app.evaluations.operations import create_from_document, ensure_grade_scheme
from workflow_app.extensions import db
from workflow_app.units.models import Unit, UnitKind
from workflow_app.workflow.states import EvaluationState

DEMO_PASSWORD = "demo1234"
SEEDS = Path(__file__).resolve().parent / "evaluations" / "seed_examples"

BUREAU = "石家庄市财政局"
GOV_OFFICE = "高邑县人民政府办公室"
KAOHE = "石家庄高新技术产业开发区考核办公室"

# username, name, unit, position, roles
USERS = [
    ("admin", "系统管理员", BUREAU, "信息科科员", {"is_admin": True}),
    ("security", "安全管理员", BUREAU, "信息科科员", {"is_security_admin": True}),
    ("auditor", "审计管理员", BUREAU, "内审科科员", {"is_audit_admin": True}),
    ("finance", "王静", BUREAU, "预算绩效管理科科长", {"is_finance_officer": True}),
    ("preparer", "田伟鑫", GOV_OFFICE, "科员", {"is_preparer": True}),
    ("leader", "郭军涛", GOV_OFFICE, "主任", {}),
    ("member1", "赵世才", GOV_OFFICE, "副主任", {}),
    ("member2", "张东亮", GOV_OFFICE, "副主任", {}),
    ("ma_lf", "马立发", GOV_OFFICE, "大气办主任", {}),
    ("yang_xg", "杨晓光", GOV_OFFICE, "三级主任科员", {}),
    ("guo_sg", "郭素格", GOV_OFFICE, "科员", {}),
    ("zhang_zj", "张志军", KAOHE, "主任", {}),
    ("wang_wq", "王文庆", KAOHE, "副主任", {}),
    ("feng_yy", "冯岩岩", KAOHE, "会计", {}),
    ("jiang_wx", "蒋文秀", KAOHE, "出纳", {}),
    ("he_bh", "何斌华", KAOHE, "职员", {"is_preparer": True}),
]
PHONES = {"preparer": "15176828187"}


def _seed(name: str) -> dict[str, Any]:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


def _units() -> dict[str, Unit]:
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    if BUREAU not in units:
        units[BUREAU] = Unit(name=BUREAU, short_name="市财政局", kind=UnitKind.FINANCE_BUREAU)
    for name, short, dept in (
        (GOV_OFFICE, "政府办", "高邑县人民政府"),
        (KAOHE, "考核办", "石家庄高新技术产业开发区管理委员会"),
    ):
        if name not in units:
            units[name] = Unit(name=name, short_name=short, kind=UnitKind.BUDGET_UNIT,
                               supervising_department=dept, bureau=units[BUREAU])
    db.session.add_all(units.values())
    db.session.flush()
    return units


def _users(units: dict[str, Unit]) -> dict[str, User]:
    existing = {u.username: u for u in db.session.scalars(select(User))}
    for username, name, unit, position, roles in USERS:
        if username in existing:
            continue
        user = User(username=username, name=name, unit=units[unit], position=position,
                    phone=PHONES.get(username, ""), email=f"{username}@example.gov.cn",
                    is_demo=True, **roles)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        existing[username] = user
    db.session.flush()
    return existing


def _templates() -> None:
    have = set(db.session.scalars(select(IndicatorTemplate.key)))
    for position, key in enumerate(FRAMEWORKS, 1):
        if key in have:
            continue
        framework = load_framework(key)
        db.session.add(IndicatorTemplate(
            key=key, name=framework["name"], kind=framework["kind"],
            total_weight=Decimal(framework["total_weight"]),
            grade_scheme=ensure_grade_scheme(framework["grade_scheme"]),
            tree=framework["indicators"], position=position,
        ))
    db.session.flush()


def _website_project() -> dict[str, Any]:
    """A complete, valid 2022 project evaluation from the 10号 table, ready to submit."""
    framework = load_framework("project_table_2020")
    values = {
        "1.1.1": ("100%", "98.6%", "9.86", "合同尾款 0.063 万元按约定于次年验收后支付"),
        "2.1.1": ("≥12次", "12次", "8", ""),
        "2.1.2": ("≥4次", "4次", "7", ""),
        "2.2.1": ("≥95%", "99%", "8", ""),
        "2.2.2": ("是否验收合格", "是", "7", ""),
        "2.3.1": ("是否按时完成", "是", "10", ""),
        "2.4.1": ("≤100%", "98.6%", "10", ""),
        "3.1.1": ("政务公开及时准确", "达成", "15", ""),
        "3.2.1": ("节约运维成本", "达成", "5", ""),
        "3.3.1": ("无纸化办公", "达成", "5", ""),
        "3.4.1": ("长期稳定运行", "达成", "5", ""),
        "4.1.1": ("≥90%", "96%", "10", ""),
    }

    def fill(nodes):
        for node in nodes:
            if node.get("children"):
                fill(node["children"])
                continue
            target, actual, score, deviation = values[node["code"]]
            node.update(target=target, actual=actual, score=score, score_reason="",
                        deviation_reason=deviation, not_applicable=False, evidence=[])

    indicators = copy.deepcopy(framework["indicators"])
    fill(indicators)
    return {
        "schema": "jixiao-ziping/evaluation", "version": 1, "kind": "project",
        "fiscal_year": 2022, "unit": {"name": GOV_OFFICE, "supervising_department": "高邑县人民政府"},
        "project_name": "政府网站技术服务", "project_leader": "赵世才",
        "project_leader_phone": "0311-84012345", "period_start": "2022-01-01",
        "period_end": "2022-12-31", "timing": "ex_post", "method": "self",
        "preparer_name": "田伟鑫", "preparer_phone": "15176828187", "report_date": "2023-04-20",
        "total_weight": "100", "grade_scheme": framework["grade_scheme"],
        "funding": [{"source": "local", "initial": "4.5", "planned": "4.5", "arrived": "4.5",
                     "spent": "4.437"}],
        "expenses": [{"category": "委托业务费", "planned": "4.5", "actual": "4.437"}],
        "sub_projects": [],
        "overall_goal": "保障县政府门户网站全年安全稳定运行，信息发布及时准确，网站运维服务响应及时。",
        "indicators": indicators,
        "sections": [
            {"key": "basic", "title": "一、基本情况",
             "body": "政府网站技术服务项目为县政府门户网站提供全年技术运维保障，预算 4.5 万元，全部为县级财政资金。"},
            {"key": "work", "title": "二、绩效评价工作开展情况",
             "body": "成立评价工作组，收集合同、验收单、运维记录等资料，对照年度绩效目标逐项打分。"},
            {"key": "conclusion", "title": "三、综合评价情况及评价结论",
             "body": "项目目标全部实现，资金使用规范，网站全年无重大安全事件。"},
        ],
        "problems": "运维响应记录以纸质为主，统计不够及时。",
        "measures": "下一年度将运维记录纳入电子台账，按月汇总。",
        "team": [
            {"username": "leader", "role": "leader"},
            {"username": "member1", "role": "member"},
            {"username": "member2", "role": "member"},
        ],
    }


def _fully_spent_project(name: str, amount: str, category: str, goal: str) -> dict[str, Any]:
    """Another project of the unit, built like the website project, its budget spent in full."""
    doc = _website_project()
    doc["project_name"] = name
    doc["funding"] = [{"source": "local", "initial": amount, "planned": amount,
                       "arrived": amount, "spent": amount}]
    doc["expenses"] = [{"category": category, "planned": amount, "actual": amount}]
    doc["overall_goal"] = goal
    doc["sections"][0]["body"] = f"{name}项目预算 {amount} 万元，全部为县级财政资金，已全部执行。"
    budget_rate = doc["indicators"][0]["children"][0]["children"][0]  # 1.1.1 预算执行率
    budget_rate.update(actual="100%", score="10", deviation_reason="")
    return doc


def _law_project() -> dict[str, Any]:
    """The evaluation waiting on the members' signatures."""
    return _fully_spent_project(
        "政府法律顾问", "10", "委托业务费",
        "发挥法律顾问在政府决策和处理涉法事务中的参谋助手作用，推进法治政府建设。")


def _video_project() -> dict[str, Any]:
    """The evaluation signed by both members and waiting for the leader."""
    return _fully_spent_project(
        "政府办值班室视频平台建设", "3.6", "专用设备购置费",
        "建成值班室视频平台，实现与市应急指挥平台的视频互通，保障 24 小时值班值守。")


def _existing(unit: Unit, year: int, name: str) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(
        Evaluation.unit_id == unit.id, Evaluation.fiscal_year == year,
        Evaluation.project_name == name))


def _advance(evaluation: Evaluation, target: EvaluationState, users: dict[str, User]) -> None:
    """Walk an evaluation through the workflow operations up to `target`."""
    try:
        from workflow_app.workflow.demo_steps import advance
    except ModuleNotFoundError:  # the workflow area is not installed: leave it in draft
        return
    advance(evaluation, target, users)


def load_demo() -> str:
    """Create whatever of the demo data is missing; return a short report."""
    units = _units()
    users = _users(units)
    _templates()
    created = []
    plan = [
        (units[GOV_OFFICE], "preparer", _seed("seed001.json"), "unit_whole_2021",
         EvaluationState.FINANCE_ACCEPTANCE),
        (units[GOV_OFFICE], "preparer", _website_project(), "project_table_2020",
         EvaluationState.DRAFT),
        (units[GOV_OFFICE], "preparer", _law_project(), "project_table_2020",
         EvaluationState.TEAM_REVIEW),
        (units[GOV_OFFICE], "preparer", _video_project(), "project_table_2020",
         EvaluationState.LEADER_SIGNOFF),
        (units[KAOHE], "he_bh", _seed("seed000.json"), "", EvaluationState.PUBLISHED),
    ]
    for unit, preparer, doc, template, state in plan:
        if _existing(unit, doc["fiscal_year"], doc["project_name"]) is not None:
            continue
        for member in doc["team"]:
            if member["username"] == "tian_wx":  # 田伟鑫 is the demo preparer
                member["username"] = "preparer"
        evaluation = create_from_document(doc, unit_id=unit.id, preparer=users[preparer],
                                          template_key=template)
        _advance(evaluation, state, users)
        created.append(f"{evaluation.project_name}（{evaluation.state.label}）")
    db.session.flush()
    if not created:
        return "演示数据已存在，未做改动。"
    return "已创建演示数据：" + "；".join(created) + f"。演示账号密码均为 {DEMO_PASSWORD}。"
