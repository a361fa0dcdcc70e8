"""Time ``sign`` through the API in-process (Flask test client, no server): the CPU a signature
costs the app, and where it goes.

    .venv/bin/python bench/profile_sign.py [--database-url …] [-n 20] [--cpu] [--minimal]

Each of ``-n`` requests signs a different pending (member, evaluation) pair that
``bench/load.py``'s ``choose`` picks, so this writes: the signatures stay (as in load.py's
one-shot rows). Prints the median wall and CPU milliseconds and the statements per request;
``--cpu`` adds a cProfile (CPU time) of one more signature, top 40 by cumulative time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import DEFAULT_URL, choose  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Sign ``-n`` pairs, print median ms / CPU ms / statements."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--cpu", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument tree of one more signature (pip install pyinstrument)")
    parser.add_argument("--minimal", action="store_true",
                        help="ask for the list form only (Prefer: return=minimal)")
    parser.add_argument("--sql", action="store_true",
                        help="the statements of one more signature, slowest first, with ms")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench-profile-secret-key-0123456789")
    os.environ.update(SESSION_COOKIE_SECURE="0", JSON_REQUEST_LOG="0", JOBS_MODE="sync",
                      RATELIMIT_API="1000000 per minute")
    from sqlalchemy import event

    from workflow_app import create_app
    from workflow_app.extensions import db

    chosen = choose(args.database_url, n_sign=args.n + 2, n_publish=0)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": args.database_url})
    statements: list[str] = []
    timed: list[tuple[float, str]] = []
    started_at: list[float] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: (statements.append(a[2]), started_at.append(time.perf_counter())))
        event.listen(db.engine, "after_cursor_execute",
                     lambda *a: timed.append(((time.perf_counter() - started_at[-1]) * 1000,
                                              " ".join(a[2].split()))))
    client = app.test_client()
    pairs = list(chosen["pairs"])

    def sign() -> int:
        token, evaluation = pairs.pop()
        headers = {"Authorization": f"Bearer {token}"}
        if args.minimal:
            headers["Prefer"] = "return=minimal"
        response = client.post(f"/api/v1/evaluations/{evaluation}/transitions/sign", json={},
                               headers=headers)
        return response.status_code

    sign()  # warm-up
    times, cpu, counts = [], [], []
    for _ in range(args.n):
        statements.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        status = sign()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        counts.append(len(statements))
        if status != 200:
            print("status", status)
    print(f"sign: {statistics.median(times):.1f} ms, {statistics.median(cpu):.1f} ms CPU, "
          f"{statistics.median(counts):.0f} statements (median of {args.n})")
    if args.sql:
        timed.clear()
        sign()
        for ms, sql in sorted(timed, reverse=True):
            print(f"{ms:8.2f}  {sql[:220] if ms < 10 else sql}")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        sign()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.cpu:
        import cProfile
        import pstats

        profile = cProfile.Profile(time.process_time)
        profile.runcall(sign)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
