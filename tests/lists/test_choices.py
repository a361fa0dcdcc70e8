"""The filter drop-downs' choices (years, a bureau's units) are asked once a minute per user,
and a new year or unit is offered from the next minute."""

from __future__ import annotations

import re

from sqlalchemy import update

from workflow_app.evaluations import listing
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db


def _years(html: str) -> list[str]:
    select = html.split('name="year"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="(\d{4})"', select)


def _units(html: str) -> list[str]:
    select = html.split('name="unit"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_choices_are_remembered_for_the_minute(world, make, login, count_queries, monkeypatch):
    minute = [1000]
    monkeypatch.setattr(listing, "this_minute", lambda: minute[0])
    finance, preparer = login(world.finance), login(world.preparer)
    assert "2031" not in _years(preparer.get("/").text)
    first = finance.get("/").text
    assert world.evaluation.unit.name in _units(first)
    with count_queries() as again:
        assert finance.get("/").text.count("<option") == first.count("<option")
    assert not any("DISTINCT" in s for s in again.statements)
    assert not any(s.startswith("SELECT units.id, units.name FROM units")
                   for s in again.statements)

    e = make.evaluation(world.evaluation.unit, preparer=world.preparer)
    db.session.execute(update(Evaluation).where(Evaluation.id == e.id).values(fiscal_year=2031))
    make.unit(name="新设的预算单位", bureau=world.finance.unit)
    db.session.commit()
    # Within the minute the remembered choices stand (the rows themselves show at once) ...
    assert "2031" not in _years(preparer.get("/").text)
    assert e.id in [int(x) for x in re.findall(r'data-evaluation-id="(\d+)"',
                                               preparer.get("/").text)]
    assert "新设的预算单位" not in _units(finance.get("/").text)
    # ... and from the next minute the new year and unit are offered, on lists and inboxes.
    minute[0] += 1
    assert "2031" in _years(preparer.get("/").text)
    assert "新设的预算单位" in _units(finance.get("/").text)
    assert "新设的预算单位" in _units(finance.get("/inbox").text)
