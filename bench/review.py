"""The consistency review's CPU time per document, on the province's newest revisions.

    .venv/bin/python bench/review.py [--database-url …] [--documents 40]

Prints the median CPU milliseconds of ``review_document`` per document and the share of
the slowest checks (each check run alone on the same Facts). The review runs on every read
page of an evaluation, the API's read form and every transition's answer (cached per
process by the document's SHA-256), so its cost is part of each of those requests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import DEFAULT_URL  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("PROVINCE_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--documents", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-review-secret-key-0123456789")
    from sqlalchemy import text

    from workflow_app import create_app
    from workflow_app.extensions import db
    from workflow_app.review import engine
    from workflow_app.review.facts import Facts

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        docs = [json.loads(s) for s in db.session.scalars(text(
            "SELECT snapshot FROM revisions ORDER BY id DESC LIMIT :n"), {"n": args.documents})]
    if not docs:
        print("no revisions in the database")
        return 1
    times = []
    for doc in docs:
        started = time.process_time()
        engine.review_document(doc)
        times.append((time.process_time() - started) * 1000)
    per_check: dict[str, float] = {}
    for doc in docs:
        facts = Facts(doc)
        for check in engine.CHECKS:
            started = time.process_time()
            list(check(facts))
            per_check[check.__name__] = (per_check.get(check.__name__, 0)
                                         + time.process_time() - started)
    print(f"review_document: median {statistics.median(times):.1f} ms CPU per document "
          f"({len(docs)} documents)")
    for name, total in sorted(per_check.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name:40} {total / len(docs) * 1000:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
