"""Scoring rules are shown and edited in Chinese words: the indicator page names each parameter
(满分线 95%, 零分线 85%) and states the rule as a sentence, never "full_at=95"."""

from __future__ import annotations

import re

from workflow_app.evaluations.models import Evaluation, RuleType


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_indicator_page_names_rule_parameters_in_words(draft, login, db_session):
    evaluation, preparer = draft
    leaf = next(i for i in evaluation.indicators if i.is_leaf)
    leaf.rule_type, leaf.rule_params = RuleType.BAND_HIGHER, {"full_at": "95", "zero_at": "85"}
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/indicators/{leaf.id}"
    page = client.get(url).get_data(as_text=True)
    text = _visible(page)
    assert "满分线" in text and "零分线" in text
    assert "≥95%得满分，≤85%得0分" in text
    assert "full_at" not in text and "zero_at" not in text
    assert re.search(r'name="p_full_at"[^>]*value="95"', page)
    version = evaluation.version
    response = client.post(url, data={
        "version": str(version), "name": leaf.name, "weight": "60",
        "rule_type": "band_higher", "p_full_at": "90", "p_zero_at": "80", "target": "≥90%"})
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(type(leaf), leaf.id)
    assert saved.rule_params == {"full_at": "90", "zero_at": "80"}
    assert db_session.get(Evaluation, evaluation.id).version > version
    assert "≥90%得满分，≤80%得0分" in _visible(client.get(url).get_data(as_text=True))


def test_a_bad_parameter_is_refused_at_the_field_in_words(draft, login, db_session):
    evaluation, preparer = draft
    leaf = next(i for i in evaluation.indicators if i.is_leaf)
    leaf.rule_type, leaf.rule_params = RuleType.BAND_HIGHER, {}
    db_session.commit()
    response = login(preparer).post(
        f"/evaluations/{evaluation.id}/indicators/{leaf.id}", data={
            "version": str(evaluation.version), "name": leaf.name, "weight": "60",
            "rule_type": "band_higher", "p_full_at": "很高"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="err-rule_params"' in page
    assert 'value="很高"' in page
