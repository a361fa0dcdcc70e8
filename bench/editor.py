"""Benchmark: the editor page and a full recomputation of scores on seed 001.

Loads the demo data (workflow_app.demo.load_demo) into a throw-away SQLite database, takes
seed 001 (高邑县政府办 2021 整体支出, 33 indicators) — as a draft copy when the demo has moved
it on in the workflow — and prints the median of N runs of:

* GET /evaluations/<id>/edit/scores (the scoring tab: tree, engine results, totals, grades);
* GET /evaluations/<id> (the read view with the same scoring table);
* POST /evaluations/<id>/score-preview (the live preview the editor's JavaScript calls);
* scorecard.score_evaluation(evaluation) (content document + scoring engine), rows loaded;
* the same after expiring the session (rows re-read from the database).

Usage: .venv/bin/python bench/editor.py [runs]   (default 25)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _median_ms(fn, runs: int) -> tuple[float, float]:  # noqa: ANN001
    fn()  # warm-up: template compilation, first queries
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def _report(label: str, fn, runs: int) -> None:  # noqa: ANN001
    median, best = _median_ms(fn, runs)
    print(f"{label:<52} median {median:8.2f} ms   min {best:8.2f} ms", flush=True)


def main() -> int:
    """Run the benchmark and print one line per measurement."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    workdir = tempfile.mkdtemp(prefix="bench-editor-")
    os.environ["INSTANCE_PATH"] = workdir
    from flask_migrate import upgrade
    from sqlalchemy import select

    from workflow_app import create_app
    from workflow_app.auth.models import User
    from workflow_app.demo import GOV_OFFICE, load_demo
    from workflow_app.evaluations.document import to_document
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.evaluations.operations import create_from_document
    from workflow_app.evaluations.scorecard import load_options, score_evaluation
    from workflow_app.extensions import db
    from workflow_app.workflow.states import EvaluationState

    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite3",
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        seed = db.session.scalar(select(Evaluation).where(
            Evaluation.project_name == f"{GOV_OFFICE}2021年度整体支出"))
        preparer = db.session.scalar(select(User).where(User.username == "preparer"))
        if seed.state != EvaluationState.DRAFT:
            seed = create_from_document(to_document(seed), unit_id=seed.unit_id,
                                        preparer=preparer)
            db.session.commit()
        evaluation_id = seed.id
        result = score_evaluation(seed)
        assert (str(result.entered_total), str(result.computed_total)) == ("96.50", "95.80"), \
            (result.entered_total, result.computed_total)

        preparer_id = preparer.id

    # Requests run outside the set-up's app context, so each gets its own database session
    # (as in production) instead of reusing the set-up's identity map.
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(preparer_id)
        session["_fresh"] = True
    def get(path: str):  # noqa: ANN202
        def call() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
        return call

    def preview() -> None:
        response = client.post(f"/evaluations/{evaluation_id}/score-preview", data={})
        assert response.status_code == 200

    print(f"seed 001: {len(result.leaves)} leaves, entered {result.entered_total} / "
          f"computed {result.computed_total}, flagged {result.flagged}; median of {runs} runs")
    for label, fn in [
        ("editor page GET /edit/scores", get(f"/evaluations/{evaluation_id}/edit/scores")),
        ("read view GET /evaluations/<id>", get(f"/evaluations/{evaluation_id}")),
        ("live preview POST /score-preview", preview),
    ]:
        _report(label, fn, runs)

    with app.app_context():
        seed = db.session.get(Evaluation, evaluation_id, options=load_options())

        def recompute() -> None:
            score_evaluation(seed)

        def recompute_cold() -> None:
            db.session.expire_all()
            score_evaluation(db.session.get(Evaluation, evaluation_id, options=load_options(),
                                            populate_existing=True))

        _report("full recomputation score_evaluation (rows loaded)", recompute, runs)
        _report("full recomputation score_evaluation (rows re-read)", recompute_cold, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
