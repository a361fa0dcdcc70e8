"""The body of the evaluation's read page — basic information, the scoring table, funding,
the text and the team — rendered once per content version and remembered (``readcache``).

The body shows only the evaluation's stored content (and, in the scoring table, the comments
under indicators, which are part of the key): nobody's name in the header, no form token, no
button. What depends on the reader or on the workflow (the side panel, the actions, the
review, the 财政复核 table, the history) is rendered around it on every request. A body not
remembered is built from the rows, with the tree loaded in a few queries.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from markupsafe import Markup

from workflow_app.evaluations import operations as ops
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.readcache import remembered_fragment
from workflow_app.evaluations.scorecard import build_scorecard, load_tree
from workflow_app.requestmemo import once_per_read

PARTS = ("top", "rest")  # before and after the 财政复核 table


def threads_marker(threads: dict[str, Any] | None) -> tuple:
    """What the scoring table shows of the comments: (code, comment ids) per indicator."""
    return tuple(sorted((code, tuple(c.id for c in comments))
                        for code, comments in (threads or {}).items()))


def _context(evaluation: Evaluation) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        load_tree(evaluation)
        return {"scorecard": build_scorecard(evaluation),
                "funding_totals": ops.funding_rates(evaluation)}

    return once_per_read(("report_body", evaluation.id, evaluation.version), build)


def report_body(part: str, evaluation: Evaluation, threads: dict[str, Any] | None = None
                ) -> Markup:
    """One part of the read page's body ("top": basic information and scores; "rest":
    funding, expenses, sub-projects, the text and the team)."""
    if part not in PARTS:
        raise ValueError(part)
    variant = threads_marker(threads) if part == "top" else ()

    def render() -> str:
        return render_template(f"evaluations/_report_{part}.html", evaluation=evaluation,
                               wf_threads=threads or {}, **_context(evaluation))

    return Markup(remembered_fragment(f"report_body.{part}", evaluation, variant, render))


def register(app: Flask) -> None:
    """The ``report_body(part, evaluation, threads)`` template global."""
    app.jinja_env.globals["report_body"] = report_body
