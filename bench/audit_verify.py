"""Benchmark: ``trail.verify()`` over a large audit chain — rows per second and peak memory.

Run: ``.venv/bin/python bench/audit_verify.py [--rows 1000000] [--database-url URL]``.
Without ``--database-url`` a fresh SQLite file in a temporary folder is migrated and filled;
with it (PostgreSQL, e.g. ``postgresql://postgres@127.0.0.1:5432/bench_audit``) the chain found
there is verified, after appending ``--rows`` events when the table holds fewer (``--rows 0``
only verifies). Rows are inserted in chained batches through Core (the append-only triggers
allow inserts), with the same hash the application computes.

It prints the time and rows/s of one plain run, then the peak of Python allocations
(tracemalloc) of a second run and the process's peak RSS: the walk is a keyset stream of
``trail.BATCH`` rows, so the peak does not grow with the chain (issue 10: 3.4 GB for 1.08 M
rows when every row was held). A figure for the closing note, not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _fill(rows: int) -> int:
    """Append events until the chain has ``rows``; returns how many were added."""
    from sqlalchemy import func, insert, select

    from workflow_app.audit import trail
    from workflow_app.audit.models import AuditEvent
    from workflow_app.dbtypes import utcnow
    from workflow_app.extensions import db

    have = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    prev = db.session.scalar(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or trail.GENESIS
    start = utcnow() - timedelta(days=365)
    added = 0
    table = AuditEvent.__table__
    while have + added < rows:
        batch = []
        for i in range(min(10_000, rows - have - added)):
            n = have + added + i
            event = AuditEvent(evaluation_id=None, actor_id=None, actor_role="system",
                               action="login_failed" if n % 3 else "download",
                               from_state="", to_state="", reason="",
                               detail={"address": f"10.0.{n % 256}.{n % 199}", "n": n},
                               created_at=start + timedelta(seconds=n))
            digest = trail._event_hash(trail._fields(event), prev)
            batch.append({"actor_role": event.actor_role, "action": event.action,
                          "from_state": "", "to_state": "", "reason": "",
                          "detail": event.detail, "created_at": event.created_at,
                          "prev_hash": prev, "hash": digest})
            prev = digest
        db.session.execute(insert(table), batch)
        db.session.commit()
        added += len(batch)
        print(f"  … {have + added} rows", file=sys.stderr)
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/audit-bench.sqlite3"
    os.environ.setdefault("INSTANCE_PATH", tmp.name)

    from flask_migrate import upgrade

    from workflow_app import create_app
    from workflow_app.audit import trail
    from workflow_app.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        added = _fill(args.rows)
        if added:
            print(f"built {added} events in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        db.session.remove()

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        result = trail.verify()
        seconds = time.perf_counter() - t0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db.session.remove()

        tracemalloc.start()
        again = trail.verify()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()

    dialect = url.split(":", 1)[0]
    print(f"database            {dialect}")
    print(f"events verified     {result.count} (ok={result.ok and again.ok}, batch {trail.BATCH})")
    print(f"time                {seconds:.2f} s")
    print(f"rows/s              {result.count / seconds:,.0f}")
    print(f"peak Python memory  {peak / 2**20:.1f} MiB (tracemalloc, second run)")
    print(f"peak RSS            {rss_after / 1024:.1f} MiB (before verify {rss_before / 1024:.1f})")
    tmp.cleanup()


if __name__ == "__main__":
    main()
