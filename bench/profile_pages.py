"""Time and count the queries of each page of bench/load.py in-process (no server, no wrk),
to find what is slow before measuring under load.

    .venv/bin/python bench/profile_pages.py                          # database "province"
    .venv/bin/python bench/profile_pages.py --database-url postgresql://postgres@127.0.0.1:5432/bureau
    .venv/bin/python bench/profile_pages.py --only "finance inbox" --profile   # pyinstrument

Each page is requested through Flask's test client as the user bench/load.py picks (the same
``choose``), ``--repeat`` times after one warm-up; it prints the median time, the statements
sent and the HTML size; "cpu ms" is this process's CPU time only (the app's Python, without
PostgreSQL's share), steadier than wall time on a busy machine. ``--profile`` prints a
pyinstrument call tree of the pages matched by ``--only`` (``pip install pyinstrument`` into
the venv; it is not a dependency). Read-only
except for the API tokens ``choose`` issues; sign and publish are not run here.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import DEFAULT_URL, PASSWORD, choose  # noqa: E402


def _login(app, username: str):  # noqa: ANN001, ANN202
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf_token": token})
    home = client.get("/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home)
    return client, csrf.group(1) if csrf else token


def pages(chosen: dict, prep_csrf: str) -> list[tuple[str, str, str, str, dict]]:
    """(name, who, method, path, kwargs) for every read page of bench/load.py."""
    import urllib.parse

    pub = chosen["published"]
    quote = urllib.parse.quote
    bearer = {"headers": {"Authorization": f"Bearer {chosen['finance_token']}"}}
    from werkzeug.datastructures import MultiDict

    preview = {"data": MultiDict([("csrf_token", prep_csrf)]
               + [(f"ind-{i}-score", s) for i, s in chosen["leaves"]]),
               "headers": {"X-CSRFToken": prep_csrf}}
    return [
        ("login page", "anon", "get", "/login", {}),
        ("preparer inbox", "preparer", "get", "/inbox", {}),
        ("finance inbox", "finance", "get", "/inbox", {}),
        ("evaluation list, preparer", "preparer", "get", "/", {}),
        ("evaluation list, finance", "finance", "get", "/", {}),
        ("evaluation detail, finance", "finance", "get", f"/evaluations/{chosen['detail']}", {}),
        ("evaluation detail, preparer", "preparer", "get", f"/evaluations/{chosen['draft']}",
         {}),
        ("public list, page 1", "anon", "get", "/public/", {}),
        ("public list, deep page", "anon", "get", f"/public/?page={chosen['deep_page']}", {}),
        ("public list, year", "anon", "get", f"/public/?year={pub['fiscal_year']}", {}),
        ("public list, unit", "anon", "get", f"/public/?unit={pub['unit_id']}", {}),
        ("public list, unit name", "anon", "get",
         f"/public/?unit_name={quote(chosen['unit_name'])}", {}),
        ("public list, kind", "anon", "get", "/public/?kind=unit_whole", {}),
        ("public list, grade", "anon", "get", f"/public/?grade={quote(pub['grade'] or '')}",
         {}),
        ("public list, search", "anon", "get", f"/public/?q={quote('整体支出')}", {}),
        ("public detail", "anon", "get", f"/public/reports/{pub['evaluation_id']}", {}),
        ("API list (finance)", "anon", "get", "/api/v1/evaluations", bearer),
        ("API detail (finance)", "anon", "get", f"/api/v1/evaluations/{chosen['detail']}",
         bearer),
        ("score-preview", "preparer", "post", f"/evaluations/{chosen['draft']}/score-preview",
         preview),
    ]


def main(argv: list[str] | None = None) -> int:
    """Request every page, print median ms / statements / bytes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="substring of the page names to run")
    parser.add_argument("--profile", action="store_true", help="pyinstrument call tree")
    parser.add_argument("--cpu", action="store_true",
                        help="cProfile on CPU time (steady on a busy machine), top 40 cumulative")
    parser.add_argument("--sql", action="store_true", help="print each statement")
    parser.add_argument("--calls", action="store_true",
                        help="Python function calls per request (cProfile): a deterministic "
                             "measure of the app's work on a machine too noisy for timing")
    args = parser.parse_args(argv)

    import os

    # Production settings, as gunicorn runs them (read when config.settings is imported).
    os.environ.setdefault("SECRET_KEY", "bench-profile-secret-key-0123456789")
    os.environ.update(SESSION_COOKIE_SECURE="0", JSON_REQUEST_LOG="0", JOBS_MODE="sync",
                      RATELIMIT_LOGIN="100000 per minute", RATELIMIT_API="1000000 per minute",
                      LOGIN_ADDRESS_LIMIT="100000 per minute")
    from sqlalchemy import event

    from workflow_app import create_app
    from workflow_app.extensions import db

    chosen = choose(args.database_url, n_sign=1, n_publish=0)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": args.database_url})
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: statements.append(" ".join(a[2].split())))
    clients = {"anon": (app.test_client(), "")}
    for role in ("preparer", "finance"):
        clients[role] = _login(app, chosen[role])
    print(f"{'page':34} {'ms':>8} {'cpu ms':>8} {'queries':>8} {'KB':>8}"
          + (f" {'calls':>8}" if args.calls else ""))
    for name, who, method, path, kwargs in pages(chosen, clients["preparer"][1]):
        if args.only and args.only not in name:
            continue
        client = clients[who][0]
        response = getattr(client, method)(path, **kwargs)  # warm-up
        if response.status_code != 200:
            print(f"{name}: {response.status_code} {response.get_data(as_text=True)[:200]}")
            continue
        times, cpu = [], []
        for _ in range(args.repeat):
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = getattr(client, method)(path, **kwargs)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        calls = ""
        if args.calls:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(getattr(client, method), path, **kwargs)
            calls = f" {pstats.Stats(profile).total_calls:8}"
        print(f"{name:34} {statistics.median(times):8.1f} {statistics.median(cpu):8.1f} "
              f"{len(statements):8} "
              f"{len(response.data) / 1024:8.1f}{calls}", flush=True)
        if args.sql:
            for s in statements:
                print("    ", s[:300])
        if args.cpu:
            import cProfile
            import pstats

            profile = cProfile.Profile(time.process_time)
            profile.runcall(getattr(client, method), path, **kwargs)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            getattr(client, method)(path, **kwargs)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
