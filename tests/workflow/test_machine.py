"""The table and the one machine built from it."""

from __future__ import annotations

from workflow_app.workflow import diagram
from workflow_app.workflow.machine import MACHINE, STATES, TABLE, TRIGGERS, machine_rows
from workflow_app.workflow.states import EvaluationState


def test_states_and_triggers_come_from_one_table():
    assert [s.value for s in EvaluationState] == STATES
    assert TRIGGERS == ["submit", "withdraw", "sign", "approve", "return", "accept", "publish"]
    assert set(MACHINE.events) == set(TRIGGERS)
    assert len(machine_rows()) == len(TABLE)


def test_no_model_is_bound_to_the_machine():
    assert MACHINE.models == []


def test_every_condition_is_named_by_its_meaning():
    for row in TABLE:
        for name in row.get("conditions", []) + row.get("unless", []):
            assert name.startswith(("actor_", "state_", "rule_")) or name == "is_last_signature"


def test_return_leads_to_draft_from_every_stage_but_published():
    returns = {s for row in TABLE if row["trigger"] == "return"
               for s in (row["source"] if isinstance(row["source"], list) else [row["source"]])}
    assert returns == {EvaluationState.TEAM_REVIEW, EvaluationState.LEADER_SIGNOFF,
                       EvaluationState.FINANCE_ACCEPTANCE, EvaluationState.ACCEPTED}


def test_diagram_is_drawn_from_the_table_and_highlights_the_current_state(ctx):
    svg = diagram.svg("leader_signoff")
    assert svg.startswith("<svg") and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert 'class="node current" data-state="leader_signoff"' in svg
    assert svg.count('class="node"') == len(STATES) - 1
    for label in ("提交会签", "退回", "审定通过", "验收", "公开", "会签"):
        assert label in svg
    text = diagram.mermaid()
    assert "stateDiagram-v2" in text and "draft --> team_review: submit" in text
