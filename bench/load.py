"""Load-test the app on the generated province with wrk: every page's p50/p95/p99, requests/s
and its ratio to a static file's throughput, in one run (issue 10, item 4).

    make bench-load                               # all of it from a clean clone (bench/README.md)
    .venv/bin/python bench/generate.py            # once: the province in database "province"
    .venv/bin/python bench/load.py                # migrates, starts gunicorn + the job worker,
                                                  # runs wrk, prints the table

Targets (issue 10): every page p95 <= 50 ms and >= 10 % of the static file's throughput;
``sign`` <= 50 ms p95 under 20 concurrent signers with none lost (measured twice: answering the
full evaluation, as by default, and with ``Prefer: return=minimal``, the list form only).

The server is the production one (``gunicorn -c gunicorn.conf.py wsgi:app``, as ``make serve``
runs it: APP_ENV=production, 2 workers unless WEB_CONCURRENCY says otherwise) on its own port,
with the RQ job worker (``flask jobs worker``) for publication; both are stopped at the end.
``--url`` uses a server that is already running instead. Users log in over HTTP like a
browser; API calls use bearer tokens issued through the product. ``sign`` and ``publish`` are
one-shot: every request names a different (member, evaluation) or evaluation, and afterwards
the database is asked how many signatures exist for the 2xx answers ("lost" = answered 2xx
but not stored).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/province"
PASSWORD = "demo1234"
TARGET_P95_MS = 50.0
TARGET_RATIO = 0.10

LUA = r"""
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local reqs = {}
local idx = 0
local stride = 1
function init(args)
  stride = tonumber(os.getenv("BENCH_THREADS"))
  idx = tid
  local f = assert(io.open(os.getenv("BENCH_REQUESTS")))
  for line in f:lines() do
    local method, path, hdrs, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local h = {}
    for kv in string.gmatch(hdrs, "[^|]+") do
      local k, v = kv:match("^([^:]+):%s*(.*)$")
      h[k] = v
    end
    if body == "" then body = nil end
    table.insert(reqs, wrk.format(method, path, h, body))
  end
  f:close()
end
function request()
  local r = reqs[(idx % #reqs) + 1]
  idx = idx + stride
  return r
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50":%.1f,"p95":%.1f,"p99":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Target:
    """One row of the table: what is requested, by whom, how hard."""

    name: str
    requests: list[tuple[str, str, dict[str, str], str]]  # method, path, headers, body
    threads: int = 2
    connections: int = 8
    one_shot: str = ""  # "sign" / "publish": counted in the database afterwards
    result: dict[str, Any] = field(default_factory=dict)


# =========================================================================== choosing


def choose(database_url: str, n_sign: int, n_publish: int) -> dict[str, Any]:
    """Pick the users, evaluations and URLs of the run from the province; issue API tokens."""
    from sqlalchemy import func, select, text

    from workflow_app import create_app
    from workflow_app.auth.models import ApiToken, User
    from workflow_app.evaluations.models import Evaluation, Indicator
    from workflow_app.extensions import db
    from workflow_app.public.models import PublishedReport
    from workflow_app.units.models import Unit

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        # The finance bureau overseeing the most units, its first officer.
        bureau_id = db.session.execute(text(
            "SELECT bureau_id FROM units WHERE bureau_id IS NOT NULL GROUP BY bureau_id "
            "ORDER BY count(*) DESC, bureau_id LIMIT 1")).scalar_one()
        finance = db.session.scalar(select(User).where(
            User.unit_id == bureau_id, User.is_finance_officer).order_by(User.id))
        # A preparer of a unit of that bureau with a draft of the whole-unit kind.
        draft = db.session.scalar(
            select(Evaluation).join(Unit, Unit.id == Evaluation.unit_id)
            .where(Unit.bureau_id == bureau_id, Evaluation.state == "draft",
                   Evaluation.kind == "unit_whole").order_by(Evaluation.id))
        preparer = db.session.get(User, draft.preparer_id)
        leaves = db.session.execute(
            select(Indicator.id, Indicator.score).where(
                Indicator.evaluation_id == draft.id,
                ~Indicator.children.any())).all()
        detail = db.session.scalar(
            select(Evaluation.id).join(Unit, Unit.id == Evaluation.unit_id)
            .where(Unit.bureau_id == bureau_id, Evaluation.state == "finance_acceptance",
                   Evaluation.kind == "unit_whole").order_by(Evaluation.id))
        published = db.session.execute(
            select(PublishedReport.evaluation_id, PublishedReport.unit_id,
                   PublishedReport.fiscal_year, PublishedReport.grade)
            .order_by(PublishedReport.id.desc()).limit(1)).one()
        total = db.session.scalar(select(func.count()).select_from(PublishedReport))
        deep_page = max(1, int(total / 20 * 0.8))
        unit_name = db.session.scalar(select(Unit.name).where(Unit.id == published.unit_id))
        # Pending signatures: (member, evaluation) in team review, not yet signed.
        pairs = db.session.execute(text("""
            SELECT tm.user_id, e.id FROM team_members tm
            JOIN evaluations e ON e.id = tm.evaluation_id
            JOIN revisions r ON r.evaluation_id = e.id AND r.number = e.revision_number
            WHERE e.state = 'team_review' AND tm.role <> 'leader'
              AND NOT EXISTS (SELECT 1 FROM signatures s
                              WHERE s.revision_id = r.id AND s.member_id = tm.user_id)
            ORDER BY md5(tm.user_id::text || e.id::text) LIMIT :n"""), {"n": n_sign}).all()
        to_publish = db.session.scalars(
            select(Evaluation.id).join(Unit, Unit.id == Evaluation.unit_id)
            .where(Unit.bureau_id == bureau_id, Evaluation.state == "accepted")
            .order_by(Evaluation.id).limit(n_publish)).all()
        tokens: dict[int, str] = {}
        for user_id in {u for u, _e in pairs} | {finance.id}:
            _row, tokens[user_id] = ApiToken.issue(db.session.get(User, user_id))
        db.session.commit()
        chosen = {
            "finance": finance.username, "finance_id": finance.id,
            "preparer": preparer.username, "draft": draft.id,
            "leaves": [(i, str(s) if s is not None else "") for i, s in leaves],
            "detail": detail, "published": published._asdict(), "deep_page": deep_page,
            "unit_name": unit_name[-4:], "published_total": total,
            "pairs": [(tokens[u], e) for u, e in pairs], "publish": list(to_publish),
            "finance_token": tokens[finance.id],
            "inbox_size": db.session.execute(text(
                "SELECT count(*) FROM evaluations e JOIN units u ON u.id = e.unit_id "
                "WHERE u.bureau_id = :b AND e.state IN ('finance_acceptance', 'accepted')"),
                {"b": bureau_id}).scalar_one(),
        }
        db.session.remove()
        db.engine.dispose()
    return chosen


# =========================================================================== the server


def start_server(database_url: str, port: int, workers: int, log_dir: Path
                 ) -> list[subprocess.Popen]:
    """gunicorn (as ``make serve``) and the RQ worker, in production settings."""
    redis_url = os.environ.get("REDIS_URL") or subprocess.run(
        ["bash", "scripts/ensure-redis.sh"], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout.strip()
    env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": database_url,
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-load-secret-key-0123456789"),
           "SESSION_COOKIE_SECURE": "0", "REDIS_URL": redis_url,
           "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "https://jixiao.example.gov.cn"),
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
           # The limiter stays on (its Redis round trip is part of every API request), but one
           # client sending thousands of requests a minute is the benchmark, not an abuser.
           "RATELIMIT_API": os.environ.get("RATELIMIT_API", "1000000 per minute")}
    venv = ROOT / ".venv" / "bin"
    # As `make serve` does: the schema first (a no-op on a freshly generated province).
    subprocess.run([str(venv / "flask"), "--app", "workflow_app", "db", "upgrade"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    commands = {"gunicorn": [str(venv / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                "worker": [str(venv / "flask"), "--app", "workflow_app", "jobs", "worker"]}
    processes = []
    for name, command in commands.items():
        with open(log_dir / f"{name}.log", "w") as out:  # the child keeps its own descriptor
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                              stderr=subprocess.STDOUT,
                                              start_new_session=True))
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process group we started, then wait."""
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_ready(base: str, timeout: float = 60) -> None:
    """Until the login page answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def login(base: str, username: str) -> tuple[str, str]:
    """Log in over HTTP like a browser: (Cookie header, a CSRF token of that session)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(base + "/login", data=data).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    home = opener.open(base + "/").read().decode()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home)
    if "session" not in cookie:
        raise SystemExit(f"login of {username} failed")
    return cookie, csrf.group(1) if csrf else token


# =========================================================================== running


def run_wrk(target: Target, base: str, duration: int, workdir: Path) -> dict[str, Any]:
    """One wrk run of the target; the numbers its Lua ``done`` printed."""
    requests_file = workdir / f"{re.sub(r'[^a-z0-9]+', '_', target.name.lower())}.tsv"
    with open(requests_file, "w", encoding="utf-8") as out:
        for method, path, headers, body in target.requests:
            head = "|".join(f"{k}: {v}" for k, v in headers.items())
            out.write(f"{method}\t{path}\t{head}\t{body}\n")
    script = workdir / "bench.lua"
    script.write_text(LUA)
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file),
           "BENCH_THREADS": str(target.threads)}
    proc = subprocess.run(
        ["wrk", f"-t{target.threads}", f"-c{target.connections}", f"-d{duration}s",
         "--timeout", "10s", "-s", str(script), base],
        capture_output=True, text=True, env=env, check=True)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("BENCH "))
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def targets(chosen: dict[str, Any], cookies: dict[str, tuple[str, str]]) -> list[Target]:
    """Every row of the table, in order (one-shot writes last)."""
    prep_cookie, prep_csrf = cookies["preparer"]
    fin_cookie, _ = cookies["finance"]
    prep = {"Cookie": prep_cookie}
    fin = {"Cookie": fin_cookie}
    bearer = {"Authorization": f"Bearer {chosen['finance_token']}"}
    pub = chosen["published"]
    quote = urllib.parse.quote

    def get(name: str, path: str, headers: dict[str, str] | None = None) -> Target:
        return Target(name, [("GET", path, headers or {}, "")])

    preview = urllib.parse.urlencode(
        [("csrf_token", prep_csrf)] + [(f"ind-{i}-score", s) for i, s in chosen["leaves"]])
    form = {**prep, "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": prep_csrf}
    # The two sign rows take different pairs: each request signs once.
    pairs = chosen["pairs"]
    half = (pairs[: len(pairs) // 2], pairs[len(pairs) // 2:])
    rows = [
        get("static file (ceiling)", "/static/css/app.css"),
        get("login page", "/login"),
        get("preparer inbox", "/inbox", prep),
        get(f"finance inbox ({chosen['inbox_size']:,} items)", "/inbox", fin),
        get("evaluation list, preparer", "/", prep),
        get("evaluation list, finance", "/", fin),
        get(f"evaluation detail, finance (#{chosen['detail']})",
            f"/evaluations/{chosen['detail']}", fin),
        get(f"evaluation detail, preparer (#{chosen['draft']})",
            f"/evaluations/{chosen['draft']}", prep),
        get("public list, page 1", "/public/"),
        get(f"public list, deep page {chosen['deep_page']} (offset)",
            f"/public/?page={chosen['deep_page']}"),
        get("public list, year", f"/public/?year={pub['fiscal_year']}"),
        get("public list, unit", f"/public/?unit={pub['unit_id']}"),
        get("public list, unit name", f"/public/?unit_name={quote(chosen['unit_name'])}"),
        get("public list, kind", "/public/?kind=unit_whole"),
        get("public list, grade", f"/public/?grade={quote(pub['grade'] or '')}"),
        get("public list, search", f"/public/?q={quote('整体支出')}"),
        get("public detail", f"/public/reports/{pub['evaluation_id']}"),
        get("API list (finance)", "/api/v1/evaluations", bearer),
        get("API detail (finance)", f"/api/v1/evaluations/{chosen['detail']}", bearer),
        Target("score-preview (unsaved scores)", [
            ("POST", f"/evaluations/{chosen['draft']}/score-preview", form, preview)]),
        Target("sign via API, 20 concurrent signers", [
            ("POST", f"/api/v1/evaluations/{e}/transitions/sign",
             {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}, "{}")
            for tok, e in half[0]], threads=20, connections=20, one_shot="sign"),
        Target("sign via API, 20 concurrent, Prefer: return=minimal", [
            ("POST", f"/api/v1/evaluations/{e}/transitions/sign",
             {"Authorization": f"Bearer {tok}", "Content-Type": "application/json",
              "Prefer": "return=minimal"}, "{}")
            for tok, e in half[1]], threads=20, connections=20, one_shot="sign"),
        Target("publish via API", [
            ("POST", f"/api/v1/evaluations/{e}/transitions/publish",
             {**bearer, "Content-Type": "application/json"}, "{}")
            for e in chosen["publish"]], threads=2, connections=2, one_shot="publish"),
    ]
    return rows


def deep_keyset_target(base: str, chosen: dict[str, Any]) -> Target:
    """The deep page as the pager's 下一页 link reaches it (keyset position)."""
    page = chosen["deep_page"] - 1
    html = urllib.request.urlopen(f"{base}/public/?page={page}").read().decode()
    link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    return Target(f"public list, deep page {chosen['deep_page']} (keyset link)",
                  [("GET", link, {}, "")])


def warm_up(base: str, target: Target) -> None:
    """A few untimed requests (a worker's first request pays for imports and caches)."""
    method, path, headers, _body = target.requests[0]
    if method != "GET":
        return
    for _ in range(4):
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers),
                                    timeout=60) as response:
            response.read()
            landed = urllib.parse.urlsplit(response.geturl())
            if response.status != 200 or landed.path != urllib.parse.urlsplit(path).path:
                raise SystemExit(f"{target.name}: {path} answered {response.status} at "
                                 f"{response.geturl()} (not the page itself)")


def count_one_shot(database_url: str, kind: str, since: datetime) -> int:
    """Signatures / published evaluations stored since the run started."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        if kind == "sign":
            return conn.execute("SELECT count(*) FROM signatures WHERE signed_at >= %s",
                                (since,)).fetchone()[0]
        return conn.execute("SELECT count(*) FROM audit_events WHERE action = 'publish' "
                            "AND created_at >= %s", (since,)).fetchone()[0]


def prewarm(database_url: str) -> float:
    """Read every table, index and TOAST table of the province into the OS page cache
    (``pg_prewarm(..., 'read')``); returns the seconds it took.

    A server that has been running holds its working set in memory; a province just
    generated or restored onto a new machine does not, and every ``sign`` of a different
    evaluation then waits on the disk for rows nothing has read yet (20-50 ms each seen),
    which measures the disk, not the app. ``--no-prewarm`` measures the cold database.
    """
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        conn.execute(
            "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
            "WHERE c.relkind IN ('r', 'i', 't') AND (c.relnamespace = 'public'::regnamespace "
            "OR c.oid IN (SELECT reltoastrelid FROM pg_class t "
            "WHERE t.relnamespace = 'public'::regnamespace) "
            "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN "
            "(SELECT reltoastrelid FROM pg_class t "
            "WHERE t.relnamespace = 'public'::regnamespace)))")
    return time.perf_counter() - started


def province_exists(database_url: str) -> bool:
    """True when the database answers and holds generated evaluations."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            return conn.execute("SELECT to_regclass('evaluations') IS NOT NULL AND "
                                "EXISTS (SELECT 1 FROM evaluations)").fetchone()[0]
    except psycopg.OperationalError:
        return False
    except psycopg.errors.UndefinedTable:
        return False


def main(argv: list[str] | None = None) -> int:
    """Start the server, run every target, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("PROVINCE_DATABASE_URL",
                                                                  DEFAULT_URL))
    parser.add_argument("--url", help="a running server instead of starting one")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--generate-if-missing", action="store_true",
                        help="build the province first (bench/generate.py) when the database "
                             "does not exist or holds no evaluations")
    parser.add_argument("--only", default="",
                        help="rows whose name contains this (the static row always runs)")
    parser.add_argument("--no-prewarm", action="store_true",
                        help="measure a cold database (no pg_prewarm of the province first)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (Debian package), "
                         "or `bash scripts/system-deps.sh --with-bench`")
    if not province_exists(args.database_url):
        if not args.generate_if_missing:
            raise SystemExit(f"no province at {args.database_url}: run bench/generate.py "
                             "first (or pass --generate-if-missing)")
        from bench import generate

        print("building the province (bench/generate.py) ...", file=sys.stderr, flush=True)
        generate.main(["--database-url", args.database_url])
    if not args.no_prewarm:
        seconds = prewarm(args.database_url)
        print(f"province read into the page cache in {seconds:.0f} s (pg_prewarm)",
              file=sys.stderr, flush=True)
    chosen = choose(args.database_url, n_sign=4000, n_publish=600)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    processes = []
    base = args.url or f"http://127.0.0.1:{args.port}"
    try:
        if not args.url:
            processes = start_server(args.database_url, args.port, args.workers, workdir)
        wait_ready(base)
        cookies = {role: login(base, chosen[role]) for role in ("preparer", "finance")}
        rows = targets(chosen, cookies)
        rows.insert(10, deep_keyset_target(base, chosen))
        if args.only:
            rows = rows[:1] + [t for t in rows[1:] if args.only in t.name]
        for target in rows:
            since = datetime.now(UTC)
            warm_up(base, target)
            target.result = run_wrk(target, base, args.duration, workdir)
            if target.one_shot:
                ok = target.result["requests"] - target.result["status_errors"]
                stored = count_one_shot(args.database_url, target.one_shot, since)
                target.result.update(ok=ok, stored=stored, lost=max(0, ok - stored))
            print(f"  {target.name}: {target.result}", file=sys.stderr, flush=True)
    finally:
        stop(processes)
    report(rows, args)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def report(rows: list[Target], args: argparse.Namespace) -> None:
    """The table (markdown), with the targets checked."""
    ceiling = rows[0].result["rps"]
    print(f"\nbench/load.py — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"gunicorn {args.workers} workers (gunicorn.conf.py), wrk {args.duration} s per row\n")
    print("| page | p50 ms | p95 ms | p99 ms | req/s | vs static | non-2xx | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for i, target in enumerate(rows):
        r = target.result
        ratio = r["rps"] / ceiling if ceiling else 0.0
        p95 = r["p95"] / 1000
        if i == 0:
            verdict = "ceiling"
        else:
            good = p95 <= TARGET_P95_MS and (target.one_shot or ratio >= TARGET_RATIO)
            verdict = "ok" if good else "MISSED"
        extra = ""
        if target.one_shot:
            extra = f" ({r['ok']} answered 2xx, {r['stored']} stored, {r['lost']} lost)"
            if r["lost"] or not r["ok"]:  # nothing answered in time is no success either
                verdict = "MISSED"
        print(f"| {target.name}{extra} | {r['p50'] / 1000:.1f} | {p95:.1f} | "
              f"{r['p99'] / 1000:.1f} | {r['rps']:.0f} | {ratio:.3f} | {r['status_errors']} | "
              f"{verdict} |")
    if args.json:
        Path(args.json).write_text(json.dumps([{"name": t.name, **t.result} for t in rows],
                                              ensure_ascii=False, indent=1))


if __name__ == "__main__":
    raise SystemExit(main())
