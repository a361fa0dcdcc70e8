"""How long the finance officer's 公开 (publish) request takes, seed 001 (33 indicators).

    .venv/bin/python bench/publish_request.py [--jobs-mode rq|sync] [--repeat 5]

Builds a throw-away SQLite database with the demo data, brings copies of seed 001 to 已验收
and times ``POST /evaluations/<id>/transitions/publish`` through the app (test client, real
session, CSRF off). With ``--jobs-mode rq`` the PDF is rendered by the worker afterwards
(Redis from REDIS_URL must answer; the jobs are left in a private queue and deleted); with
``sync`` it is rendered inside the request, as before the job queue existed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs-mode", default="rq", choices=["rq", "sync"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bulk", action="store_true",
                        help="one bulk publish (批量公开) of all --repeat evaluations instead")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from workflow_app import create_app
    from workflow_app.auth.models import User
    from workflow_app.demo import load_demo
    from workflow_app.evaluations.document import to_document
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.evaluations.operations import create_from_document
    from workflow_app.extensions import db
    from workflow_app.public.models import PublishedReport
    from workflow_app.workflow.operations import fire

    tmp = tempfile.mkdtemp(prefix="bench-publish-")
    queue_name = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["INSTANCE_PATH"] = tmp
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
        "WTF_CSRF_ENABLED": False, "JOBS_MODE": args.jobs_mode, "RQ_QUEUE": queue_name,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        finance = db.session.scalar(select(User).where(User.username == "finance"))
        seed = db.session.scalar(select(Evaluation).where(Evaluation.state == "finance_acceptance"))
        ids = []
        for _ in range(args.repeat):
            doc = to_document(seed)
            copy = create_from_document(doc, unit_id=seed.unit_id, preparer=seed.preparer)
            db.session.flush()
            ids.append(copy.id)
        db.session.commit()
        people = {m.role.value: m.user for m in seed.team}
        for evaluation_id in ids:
            e = db.session.get(Evaluation, evaluation_id)
            fire(e, "submit", seed.preparer)
            for member in e.team:
                if member.role.value != "leader":
                    fire(e, "sign", member.user)
            fire(e, "approve", e.leader)
            fire(e, "accept", finance)
            db.session.commit()
        del people
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(finance.id)
            session["_fresh"] = True
        times = []
        stored_at_response = 0
        if args.bulk:
            started = time.perf_counter()
            response = client.post("/workflow/batch/publish",
                                   data={"evaluation_id": [str(i) for i in ids], "confirmed": "1"})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 302, response.status_code
            db.session.remove()
            stored = db.session.scalar(select(func.count()).select_from(PublishedReport)
                                       .where(PublishedReport.evaluation_id.in_(ids)))
            if args.jobs_mode == "rq":
                from workflow_app.jobs.queue import rq_queue

                rq_queue().delete(delete_jobs=True)
            print(f"bulk publish of {len(ids)} (seed 001 copies), JOBS_MODE={args.jobs_mode}: "
                  f"request {elapsed:.0f} ms; PDFs stored when the response came: "
                  f"{stored}/{len(ids)}")
            return
        for evaluation_id in ids:
            started = time.perf_counter()
            response = client.post(f"/evaluations/{evaluation_id}/transitions/publish")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.status_code
            db.session.remove()
            if db.session.scalar(select(PublishedReport.id).where(
                    PublishedReport.evaluation_id == evaluation_id)) is not None:
                stored_at_response += 1
        if args.jobs_mode == "rq":
            from workflow_app.jobs.queue import rq_queue

            rq_queue().delete(delete_jobs=True)
    print(f"publish request, seed 001 (33 indicators), JOBS_MODE={args.jobs_mode}, "
          f"n={len(times)}: median {statistics.median(times):.0f} ms, "
          f"min {min(times):.0f} ms, max {max(times):.0f} ms; "
          f"PDF stored when the response came: {stored_at_response}/{len(times)}")


if __name__ == "__main__":
    main()
