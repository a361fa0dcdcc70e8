"""Build a province on PostgreSQL: 20 finance bureaus, 2,000 units, 20,080 users and 100,000
evaluations over five fiscal years (~4 million indicators, ~1 million audit events, ~10,000
published reports) — issue 10's benchmark data, for bench/load.py.

    .venv/bin/python bench/generate.py                      # the full province (--scale 1)
    .venv/bin/python bench/generate.py --scale 0.01         # 1 % of it, in seconds
    .venv/bin/python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/x

How it stays true to the product:
- The schema is built by the migrations (``upgrade head``), with every constraint and trigger.
- The templates come from the product itself: the demo data (``load_demo``) creates units,
  users and evaluations from the seeds and walks them through the real workflow operations,
  up to a published report rendered by the real renderer. Each generated evaluation is a copy
  of one of those evaluations' rows and content document with its own header, unit and team,
  and one of a few score variants (scored once by the product's engine).
- Bulk rows go in with COPY, in the order the workflow writes them: content while the
  evaluation is a draft (the score-lock trigger allows it), then the revision with the canonical
  snapshot and its SHA-256, the signatures bound to that hash, and only then the state; a
  published report stores bytes with their own SHA-256 and its listing columns; the audit
  events are chained with the product's own hash function, oldest first, continuing the demo's
  chain, so ``audit verify`` passes.
- The published PDF bytes are the demo's published report (rendered by the product) with a
  PDF comment naming the report appended, so each report has its own bytes and hash at a
  realistic size without rendering 10,000 PDFs.

The database is dropped and re-created (it must not be a test database). Prints one line per
step with its time and the final row counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/province"
FULL = {"bureaus": 20, "units": 2000, "evaluations": 100_000, "published": 10_051}
YEARS = (2021, 2022, 2023, 2024, 2025)
USERS_PER_UNIT = 10  # preparer, leader, deputy, three members, four staff
USERS_PER_BUREAU = 4  # two finance officers, an administrator, one staff member
PASSWORD = "demo1234"
CITIES = ["石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊",
          "衡水", "定州", "辛集", "雄安", "正定", "涿州", "迁安", "武安", "任丘", "黄骅"]
DEPARTMENTS = ["教育局", "卫生健康局", "交通运输局", "农业农村局", "民政局", "水利局",
               "文化广电和旅游局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局",
               "住房和城乡建设局", "市场监督管理局", "应急管理局", "统计局", "审计局", "司法局",
               "科学技术局", "商务局", "林业局", "退役军人事务局"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰飞鹏辉"
# Score variants: each leaf's score is its weight times the factor (rounded to 0.5).
VARIANTS = (Decimal("1"), Decimal("0.9"), Decimal("0.78"), Decimal("0.62"))
# State mix of the current fiscal year; earlier years are accepted or published.
UNIT_WHOLE_SHARE = 0.75
CURRENT = [("draft", 30), ("team_review", 30), ("leader_signoff", 10),
           ("finance_acceptance", 20), ("accepted", 10)]


def log(message: str, started: float) -> None:
    """One progress line with the elapsed time."""
    print(f"[{time.monotonic() - started:7.1f} s] {message}", flush=True)


# =========================================================================== database


def recreate_database(url: str) -> None:
    """Drop and create the target database (refuses the test databases' names)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    if name.startswith(("jixiao_test", "test")):
        raise SystemExit(f"refusing to overwrite {name!r}: use a dedicated database")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')


class Copier:
    """COPY rows into a table; columns the caller leaves out get the model's default."""

    def __init__(self, conn, metadata) -> None:  # noqa: ANN001
        self.conn = conn
        self.metadata = metadata
        self.next_ids: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        """The first id after the table's current rows (ids are assigned here)."""
        if table not in self.next_ids:
            with self.conn.cursor() as cur:
                cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
                self.next_ids[table] = cur.fetchone()[0]
        return self.next_ids[table]

    def take_ids(self, table: str, count: int) -> int:
        """Reserve ``count`` ids; returns the first."""
        first = self.next_id(table)
        self.next_ids[table] = first + count
        return first

    def _defaults(self, table: str, given: list[str]) -> tuple[list[str], list[Any]]:
        extra_cols, extra_vals = [], []
        for column in self.metadata.tables[table].columns:
            if column.name in given or column.default is None:
                continue
            default = column.default
            if default.is_scalar:
                value = default.arg
            elif default.is_callable:
                value = default.arg(None)
            else:
                continue
            extra_cols.append(column.name)
            extra_vals.append(getattr(value, "value", value))
        return extra_cols, extra_vals

    def copy(self, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
        """COPY the rows (tuples in ``columns`` order); returns how many."""
        extra_cols, extra_vals = self._defaults(table, columns)
        names = ", ".join(columns + extra_cols)
        count = 0
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
            tail = tuple(extra_vals)
            for row in rows:
                cp.write_row(row + tail)
                count += 1
        return count

    def fix_sequences(self) -> None:
        """Point every id sequence past the ids assigned here."""
        with self.conn.cursor() as cur:
            for table in self.metadata.tables:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")


# =========================================================================== templates


def _row_values(obj: Any, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    mapper = obj.__mapper__
    values = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if column.name in skip:
            continue
        value = getattr(obj, attr.key)
        values[column.name] = getattr(value, "value", value)
    return values


class Template:
    """One product-made evaluation, ready to be copied: its rows and content document."""

    def __init__(self, evaluation: Any) -> None:
        from workflow_app.evaluations.document import to_document
        from workflow_app.evaluations.scorecard import ordered_indicators
        from workflow_app.public.publication import listing_scores

        self.evaluation_values = _row_values(evaluation)
        self.kind = evaluation.kind.value
        self.doc = to_document(evaluation)
        ordered = ordered_indicators(evaluation)
        index = {ind.id: i for i, (_code, ind) in enumerate(ordered)}
        self.indicators = []  # (offset, parent offset | None, values, code, is_leaf)
        for i, (code, ind) in enumerate(ordered):
            values = _row_values(ind, skip=("id", "evaluation_id", "parent_id"))
            parent = index[ind.parent_id] if ind.parent_id is not None else None
            self.indicators.append((i, parent, values, code, not ind.children))
        self.children = {
            name: [_row_values(r, skip=("id", "evaluation_id")) for r in rows]
            for name, rows in (("funding_sources", evaluation.funding),
                               ("expense_lines", evaluation.expenses),
                               ("sub_projects", evaluation.sub_projects),
                               ("sections", evaluation.sections))
        }
        # (leaf code -> (score, reason), doc, published listing columns, stored derived
        # scores of the evaluation row — what the product's operations would store)
        self.variants = []
        for factor in VARIANTS:
            scores, doc = self._variant(factor)
            self.variants.append((scores, doc, listing_scores(doc), derived_columns(doc)))

    def _variant(self, factor: Decimal) -> tuple[dict[str, tuple], dict[str, Any]]:
        from workflow_app.evaluations.scoring import score_document

        doc = json.loads(json.dumps(self.doc))
        scores: dict[str, tuple] = {}
        if factor == 1:
            return scores, doc

        def walk(nodes: list[dict[str, Any]]) -> None:
            for node in nodes:
                if node.get("children"):
                    walk(node["children"])
                    continue
                if node.get("score") is None or node.get("not_applicable"):
                    continue
                weight = Decimal(node["weight"])
                score = (weight * factor * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2
                score = min(score, Decimal(node["score"]))
                if score == Decimal(node["score"]):
                    continue
                text = f"{score.normalize():f}"
                reason = node.get("score_reason") or "部分目标未完全达成，已说明原因"
                node["score"], node["score_reason"] = text, reason
                scores[node["code"]] = (score, reason)

        walk(doc["indicators"])
        try:
            problems = score_document(doc).problems
        except Exception:  # noqa: BLE001 - a variant the engine refuses is simply not used
            problems = ["unscorable"]
        return (scores, doc) if not problems else ({}, json.loads(json.dumps(self.doc)))


def derived_columns(doc: dict[str, Any]) -> dict[str, Any]:
    """The derived scores an evaluation row stores for this content (evaluations.derived),
    or nothing when this version of the product has no such columns."""
    try:
        from workflow_app.evaluations import derived
    except ImportError:
        return {}
    values = derived.of_snapshot(json.dumps(doc))
    return {column: getattr(values, column) for column in derived.COLUMNS}


def load_templates(started: float) -> tuple[dict[str, list[Template]], Any, bytes]:
    """Demo data through the product; the templates and the published PDF's bytes."""
    from sqlalchemy import select

    from workflow_app.demo import load_demo
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.evaluations.scorecard import load_options
    from workflow_app.extensions import db
    from workflow_app.public.models import PublishedReport

    print(load_demo())
    db.session.commit()
    log("demo data through the product's operations (templates)", started)
    evaluations = db.session.scalars(select(Evaluation).options(*load_options())).all()
    templates: dict[str, list[Template]] = {"project": [], "unit_whole": []}
    for evaluation in evaluations:
        templates[evaluation.kind.value].append(Template(evaluation))
    pdf = db.session.scalars(select(PublishedReport.pdf)).first()
    if pdf is None:
        raise SystemExit("the demo published no report: cannot take PDF bytes")
    scheme_id = evaluations[0].grade_scheme_id
    return templates, scheme_id, bytes(pdf)


# =========================================================================== the province


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_people(copier: Copier, scale: float, rng: random.Random, password_hash: str,
                 now: datetime) -> SimpleNamespace:
    """Bureaus, units and their users."""
    n_bureaus = max(1, round(FULL["bureaus"] * scale))
    n_units = max(2 * n_bureaus, round(FULL["units"] * scale))
    bureau0 = copier.take_ids("units", n_bureaus + n_units)
    bureaus = list(range(bureau0, bureau0 + n_bureaus))
    units = list(range(bureau0 + n_bureaus, bureau0 + n_bureaus + n_units))
    city = {b: (CITIES[i] if i < len(CITIES) else f"第{i + 1}") for i, b in enumerate(bureaus)}
    unit_rows, unit_info = [], {}
    for b in bureaus:
        unit_rows.append((b, f"{city[b]}市财政局（省域）", f"{city[b]}财政", "finance_bureau",
                          "", None))
    for i, u in enumerate(units):
        b = bureaus[i % n_bureaus]
        county = i // (n_bureaus * len(DEPARTMENTS)) + 1
        dept = DEPARTMENTS[(i // n_bureaus) % len(DEPARTMENTS)]
        name = f"{city[b]}第{county:02d}县{dept}"
        short = dept
        unit_rows.append((u, name, short, "budget_unit", f"{city[b]}第{county:02d}县人民政府", b))
        unit_info[u] = SimpleNamespace(id=u, name=name, short=short, bureau=b,
                                       department=f"{city[b]}第{county:02d}县人民政府")
    copier.copy("units", ["id", "name", "short_name", "kind", "supervising_department",
                          "bureau_id"], unit_rows)
    n_users = n_units * USERS_PER_UNIT + n_bureaus * USERS_PER_BUREAU
    first_user = copier.take_ids("users", n_users)
    user_rows, members, finance = [], {}, {}
    uid = first_user
    positions = ["科员", "主任", "副主任", "科长", "副科长", "副科长", "科员", "科员", "会计",
                 "出纳"]
    for u in units:
        ids = []
        for k in range(USERS_PER_UNIT):
            user_rows.append((uid, f"u{u}_{k}", _name(rng), u, positions[k], "", "", "",
                              password_hash, True, k == 0, False, False, now))
            ids.append(uid)
            uid += 1
        members[u] = ids
    for b in bureaus:
        ids = []
        for k in range(USERS_PER_BUREAU):
            user_rows.append((uid, f"fin{b}_{k}", _name(rng), b, "预算绩效管理科", "", "", "",
                              password_hash, True, False, k < 2, k == 2, now))
            ids.append(uid)
            uid += 1
        finance[b] = ids[:2]
    copier.copy("users", ["id", "username", "name", "unit_id", "position", "title", "phone",
                          "email", "password_hash", "active", "is_preparer",
                          "is_finance_officer", "is_admin", "created_at"], user_rows)
    names = {row[0]: row[2] for row in user_rows}
    positions_by_id = {row[0]: row[4] for row in user_rows}
    return SimpleNamespace(bureaus=bureaus, units=units, unit_info=unit_info, members=members,
                           finance=finance, names=names, positions=positions_by_id,
                           usernames={row[0]: row[1] for row in user_rows})


def plan_states(n: int, n_published: int, rng: random.Random, years: list[int]) -> list[str]:
    """The state of each evaluation: the current year in progress, earlier ones done."""
    old = [i for i, y in enumerate(years) if y != YEARS[-1]]
    published = set(rng.sample(old, min(n_published, len(old))))
    states = []
    weights = [w for _s, w in CURRENT]
    choices = [s for s, _w in CURRENT]
    for i, year in enumerate(years):
        if year != YEARS[-1]:
            states.append("published" if i in published else "accepted")
        else:
            states.append(rng.choices(choices, weights)[0])
    return states


ORDER = ["draft", "team_review", "leader_signoff", "finance_acceptance", "accepted",
         "published"]


class Chain:
    """Audit events collected out of order, then numbered and hash-chained oldest first."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def add(self, when: datetime, evaluation_id: int | None, actor_id: int, role: str,
            action: str, from_state: str, to_state: str, detail: dict[str, Any]) -> None:
        self.events.append((when, evaluation_id, actor_id, role, action, from_state, to_state,
                            detail))

    def rows(self, first_id: int, prev_hash: str) -> Iterator[tuple]:
        """The events as audit_events rows, chained with the product's hash."""
        from workflow_app.audit import trail

        self.events.sort(key=lambda e: e[0])
        for offset, (when, eid, actor, role, action, src, dst, detail) in enumerate(self.events):
            event = SimpleNamespace(evaluation_id=eid, actor_id=actor, actor_role=role,
                                    action=action, from_state=src, to_state=dst, reason="",
                                    detail=detail, created_at=when)
            digest = trail._event_hash(trail._fields(event), prev_hash)
            yield (first_id + offset, eid, actor, role, action, src, dst, "",
                   json.dumps(detail, ensure_ascii=False), when, prev_hash, digest)
            prev_hash = digest


def build_evaluations(copier: Copier, people: SimpleNamespace, templates: dict[str, list],
                      scheme_id: int, pdf: bytes, scale: float, rng: random.Random,
                      started: float) -> dict[str, int]:
    """Evaluations with their content, revisions, signatures, reports, audit and notices."""
    from workflow_app.evaluations.document import canonical_json, content_hash

    n = max(len(people.units), round(FULL["evaluations"] * scale))
    n_published = round(FULL["published"] * scale)
    units = people.units
    years = [YEARS[(i // len(units)) % len(YEARS)] for i in range(n)]
    states = plan_states(n, n_published, rng, years)
    first_eval = copier.take_ids("evaluations", n)
    chosen = []  # (template, variant index) per evaluation
    for _ in range(n):
        # Whole-unit evaluations (seed 001's 46 indicators) weigh three quarters, projects (24)
        # one: ~40 indicators per evaluation on average, as in the province measured.
        whole = rng.random() < UNIT_WHOLE_SHARE and templates["unit_whole"]
        kind = "unit_whole" if whole else "project"
        chosen.append((rng.choice(templates[kind]), rng.randrange(len(VARIANTS))))

    # -- evaluations (drafts first: the content goes in while the triggers allow it)
    eval_cols = ["id", *chosen[0][0].evaluation_values]
    headers = []
    for i in range(n):
        template, _v = chosen[i]
        unit = people.unit_info[units[i % len(units)]]
        staff = people.members[unit.id]
        year = years[i]
        created = datetime(year + 1, 1 + i % 3, 1 + i % 28, 9, tzinfo=UTC) + timedelta(
            minutes=i % 600)
        values = dict(template.evaluation_values)
        name = (f"{unit.name}{year}年度整体支出" if template.kind == "unit_whole"
                else f"{year}年度{unit.short}{template.evaluation_values['project_name'][:20]}"
                     f"（{i // len(units) + 1}）")
        values.update(
            id=first_eval + i, fiscal_year=year, unit_id=unit.id, project_name=name[:200],
            supervising_department=unit.department, preparer_id=staff[0],
            preparer_name=people.names[staff[0]], preparer_phone="", grade_scheme_id=values[
                "grade_scheme_id"], state="draft", revision_number=1, version=1,
            created_at=created, updated_at=created)
        values.update(template.variants[chosen[i][1]][3])
        headers.append(values)
    copier.copy("evaluations", eval_cols, (tuple(h[c] for c in eval_cols) for h in headers))
    log(f"{n:,} evaluations (as drafts)", started)

    # -- indicators and the other content rows
    ind_cols = ["id", "evaluation_id", "parent_id"] + [
        c for c in chosen[0][0].indicators[0][2]]
    total_nodes = sum(len(t.indicators) for t, _v in chosen)
    first_ind = copier.take_ids("indicators", total_nodes)

    def indicator_rows() -> Iterator[tuple]:
        next_id = first_ind
        for i, (template, variant) in enumerate(chosen):
            scores = template.variants[variant][0]
            base = next_id
            for offset, parent, values, code, _leaf in template.indicators:
                row = dict(values)
                if code in scores:
                    row["score"], row["score_reason"] = scores[code]
                yield (base + offset, first_eval + i,
                       None if parent is None else base + parent,
                       *(json.dumps(row[c]) if c == "rule_params" else row[c]
                         for c in ind_cols[3:]))
            next_id = base + len(template.indicators)

    count = copier.copy("indicators", ind_cols, indicator_rows())
    log(f"{count:,} indicators", started)
    for table in ("funding_sources", "expense_lines", "sub_projects", "sections"):
        sample = next((t.children[table] for t, _v in chosen if t.children[table]), None)
        if not sample:
            continue
        cols = ["evaluation_id"] + list(sample[0])
        total = sum(len(t.children[table]) for t, _v in chosen)
        first = copier.take_ids(table, total)
        rows = ((first + k, *r) for k, r in enumerate(
            (first_eval + i, *(row[c] for c in cols[1:]))
            for i, (t, _v) in enumerate(chosen) for row in t.children[table]))
        copier.copy(table, ["id"] + cols, rows)
    log("funding, expenses, sub-projects, sections", started)

    # -- teams
    team_rows, teams = [], []
    first_team = copier.take_ids("team_members", n * 5)
    for i in range(n):
        staff = people.members[units[i % len(units)]]
        size = 4 + (i % 2)  # leader + deputy + 2 or 3 members
        team = [(staff[1], "leader"), (staff[2], "deputy")] + [
            (staff[k], "member") for k in range(3, 1 + size)]
        teams.append(team)
        for position, (user, role) in enumerate(team, 1):
            team_rows.append((first_team + len(team_rows), first_eval + i, user, role, position,
                              False))
    copier.copy("team_members", ["id", "evaluation_id", "user_id", "role", "position",
                                 "added_in_review"], team_rows)
    log(f"{len(team_rows):,} team members", started)

    # -- revisions, signatures, reports, audit events, notifications
    chain = Chain()
    submitted = [i for i in range(n) if states[i] != "draft"]
    first_rev = copier.take_ids("revisions", len(submitted))
    sig_rows, report_rows, note_rows = [], [], []
    first_sig = copier.next_id("signatures")
    first_report = copier.next_id("published_reports")
    first_note = copier.next_id("notifications")
    rev_of = {}
    for k, i in enumerate(submitted):
        rev_of[i] = first_rev + k
    def revision_rows() -> Iterator[tuple]:
        """Revisions, streamed (their snapshots are large); the other rows are collected."""
        for i in range(n):
            template, variant = chosen[i]
            eid = first_eval + i
            header = headers[i]
            unit = people.unit_info[header["unit_id"]]
            state = states[i]
            level = ORDER.index(state)
            preparer = header["preparer_id"]
            t0 = header["created_at"]
            chain.add(t0, eid, preparer, "preparer", "create", "", "draft",
                      {"template": header["template_key"]} if header["template_key"] else {})
            if level == 0:
                note_rows.append((eid, preparer, "draft", f"《{header['project_name']}》待完成。",
                                  t0, None))
                continue
            doc = dict(template.variants[variant][1])
            doc.update(fiscal_year=header["fiscal_year"], project_name=header["project_name"],
                       preparer_name=header["preparer_name"],
                       preparer_phone=header["preparer_phone"],
                       unit={"name": unit.name, "supervising_department": unit.department})
            doc["team"] = [{"username": people.usernames[u], "name": people.names[u],
                            "unit": unit.short, "position": people.positions[u], "title": "",
                            "role": role} for u, role in teams[i]]
            snapshot = canonical_json(doc)
            digest = content_hash(doc)
            submitted_at = t0 + timedelta(days=3)
            approved_at = submitted_at + timedelta(days=2) if level >= 3 else None
            leader = teams[i][0][0]
            yield (rev_of[i], eid, 1, snapshot, digest, submitted_at, preparer,
                   approved_at, leader if approved_at else None, None, "",
                   *_revision_macs(eid, digest, preparer, submitted_at, approved_at,
                                   leader if approved_at else None))
            chain.add(submitted_at, eid, preparer, "preparer", "submit", "draft", "team_review",
                      {"trigger": "submit", "revision": 1, "content_hash": digest})
            signers = [(u, r) for u, r in teams[i] if r != "leader"]
            signing = len(signers) if level >= 2 else rng.randrange(len(signers))
            for k, (user, _role) in enumerate(signers):
                note_rows.append((eid, user, "sign",
                                  f"《{header['project_name']}》第 1 版已提交，请审阅并会签。",
                                  submitted_at, submitted_at + timedelta(hours=k + 1)
                                  if k < signing else None))
            for k, (user, role) in enumerate(signers[:signing]):
                when = submitted_at + timedelta(hours=k + 1)
                sig_rows.append((first_sig + len(sig_rows), rev_of[i], user, user, role, "sign",
                                 digest, when, "127.0.0.1", "",
                                 *_signature_mac(rev_of[i], digest, user, role, "sign", when,
                                                 "")))
                last = k == len(signers) - 1
                chain.add(when, eid, user, role, "sign", "team_review",
                          "leader_signoff" if last else "team_review",
                          {"trigger": "sign", "revision": 1, "content_hash": digest,
                           "member": people.usernames[user]})
            if level >= 2:
                note_rows.append((eid, leader, "approve",
                                  f"《{header['project_name']}》全体成员已会签，请组长审定。",
                                  submitted_at + timedelta(hours=len(signers)),
                                  approved_at))
            if level >= 3:
                sig_rows.append((first_sig + len(sig_rows), rev_of[i], leader, leader, "leader",
                                 "approve", digest, approved_at, "127.0.0.1", "同意",
                                 *_signature_mac(rev_of[i], digest, leader, "leader", "approve",
                                                 approved_at, "同意")))
                chain.add(approved_at, eid, leader, "leader", "approve", "leader_signoff",
                          "finance_acceptance", {"trigger": "approve", "revision": 1,
                                                 "content_hash": digest,
                                                 "member": people.usernames[leader]})
                officers = people.finance[unit.bureau]
                accepted_at = approved_at + timedelta(days=5)
                for officer in officers:
                    note_rows.append((eid, officer, "accept",
                                      f"《{header['project_name']}》已经组长审定，请验收。",
                                      approved_at, accepted_at if level >= 4 else None))
            if level >= 4:
                chain.add(accepted_at, eid, officers[0], "finance_officer", "accept",
                          "finance_acceptance", "accepted",
                          {"trigger": "accept", "revision": 1, "content_hash": digest})
                published_at = (accepted_at + timedelta(days=10)).replace(microsecond=0)
                for officer in officers:
                    note_rows.append((eid, officer, "publish",
                                      f"《{header['project_name']}》已验收，待公开。",
                                      accepted_at, published_at if level >= 5 else None))
            if level >= 5:
                code = f"G{eid:07d}"[-8:]
                code = f"{code[:4]}-{code[4:]}"
                listing = template.variants[variant][2]
                report_rows.append((first_report + len(report_rows), eid, rev_of[i], code,
                                    published_at, header["fiscal_year"], header["kind"],
                                    header["unit_id"], listing["total_score"],
                                    listing["computed_total_score"], listing["grade"]))
                chain.add(published_at, eid, officers[0], "finance_officer", "publish",
                          "accepted", "published",
                          {"trigger": "publish", "revision": 1, "content_hash": digest})

    count = copier.copy("revisions", ["id", "evaluation_id", "number", "snapshot",
                                      "content_hash", "submitted_at", "submitted_by_id",
                                      "approved_at", "approved_by_id", "returned_at",
                                      "return_reason", "hash_algorithm", "mac", "mac_key_id",
                                      "approval_mac", "approval_mac_key_id"], revision_rows())
    log(f"{count:,} revisions (canonical snapshots and their SHA-256)", started)
    copier.copy("signatures", ["id", "revision_id", "member_id", "signer_id", "team_role",
                               "kind", "content_hash", "signed_at", "client_address",
                               "comment", "mac", "mac_key_id"], sig_rows)
    log(f"{len(sig_rows):,} signatures bound to their revision's hash", started)
    # The states, now that each evaluation's revision and signatures exist.
    with copier.conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_states (id integer PRIMARY KEY, state text)")
        with cur.copy("COPY bench_states (id, state) FROM STDIN") as cp:
            for i in range(n):
                if states[i] != "draft":
                    cp.write_row((first_eval + i, states[i]))
        # Step by step along the workflow: the database accepts no other state change
        # (migration content_frozen), as it would refuse any content written after this.
        for step, state in enumerate(ORDER[1:], 1):
            later = ORDER[step:]
            cur.execute("UPDATE evaluations e SET state = %s, version = version + 1 "
                        "FROM bench_states s WHERE e.id = s.id AND s.state = ANY(%s)",
                        (state, later))
        cur.execute("DROP TABLE bench_states")
    log("states set", started)
    def report_rows_with_bytes() -> Iterator[tuple]:
        for report_id, eid, rev, code, *rest in report_rows:
            body = pdf + f"\n% jixiao bench report {eid} {code}\n".encode()
            yield (report_id, eid, rev, code, body, hashlib.sha256(body).hexdigest(), *rest)

    copier.copy("published_reports", ["id", "evaluation_id", "revision_id",
                                      "verification_code", "pdf", "sha256", "published_at",
                                      "fiscal_year", "kind", "unit_id", "total_score",
                                      "computed_total_score", "grade"],
                report_rows_with_bytes())
    log(f"{len(report_rows):,} published reports", started)
    copier.copy("notifications", ["id", "evaluation_id", "user_id", "kind", "message",
                                  "created_at", "read_at"],
                ((first_note + k, *r) for k, r in enumerate(note_rows)))
    log(f"{len(note_rows):,} notifications", started)
    # Logins, so the trail is as long as a province's (about one per two workflow events).
    logins = len(chain.events) // 2
    preparers = [people.members[u][0] for u in units]
    for _ in range(logins):
        when = datetime(YEARS[0] + 1, 1, 1, tzinfo=UTC) + timedelta(
            seconds=rng.randrange(int((YEARS[-1] - YEARS[0] + 1) * 365 * 86400)))
        chain.add(when, None, rng.choice(preparers), "preparer", "login", "", "",
                  {"address": "10.0.0.1"})
    with copier.conn.cursor() as cur:
        cur.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
    from workflow_app.audit.trail import GENESIS

    first_event = copier.next_id("audit_events")
    count = copier.copy("audit_events", ["id", "evaluation_id", "actor_id", "actor_role",
                                         "action", "from_state", "to_state", "reason",
                                         "detail", "created_at", "prev_hash", "hash"],
                        chain.rows(first_event, row[0] if row else GENESIS))
    log(f"{count:,} audit events, chained", started)
    return {"evaluations": n}


def _revision_macs(eid: int, digest: str, preparer: int, submitted_at: datetime,
                   approved_at: datetime | None, leader: int | None) -> tuple:
    """(hash_algorithm, mac, mac_key_id, approval_mac, approval_mac_key_id) of a revision, as
    the model layer signs them (COPY skips its events; workflow_app.integrity.macs)."""
    from workflow_app.integrity import hashing, keys, macs

    algorithm = hashing.current()
    key_id, mac = keys.mac(macs.revision_message(
        evaluation_id=eid, number=1, content_hash=digest, hash_algorithm=algorithm,
        submitted_by_id=preparer, submitted_at=submitted_at))
    approval_key_id = approval_mac = None
    if approved_at is not None:
        approval_key_id, approval_mac = keys.mac(macs.approval_message(
            evaluation_id=eid, number=1, content_hash=digest, approved_by_id=leader,
            approved_at=approved_at))
    return algorithm, mac, key_id, approval_mac, approval_key_id


def _signature_mac(revision_id: int, digest: str, user: int, role: str, kind: str,
                   when: datetime, comment: str) -> tuple[str, str]:
    """(mac, mac_key_id) of a signature row."""
    from workflow_app.integrity import keys, macs

    key_id, mac = keys.mac(macs.signature_message(
        revision_id=revision_id, content_hash=digest, member_id=user, signer_id=user,
        team_role=role, kind=kind, signed_at=when, comment=comment))
    return mac, key_id


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build the province, print the row counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("PROVINCE_DATABASE_URL",
                                                                  DEFAULT_URL))
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the full province (0.01 for a quick run)")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    started = time.monotonic()
    recreate_database(args.database_url)
    os.environ.setdefault("APP_ENV", "development")
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from workflow_app import create_app
    from workflow_app.extensions import db

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": args.database_url,
                                     "PUBLIC_BASE_URL": "http://127.0.0.1:8000"})
    with app.app_context():
        upgrade(revision="heads")
        log("schema: upgrade heads", started)
        templates, scheme_id, pdf = load_templates(started)
        rng = random.Random(args.seed)
        raw = db.engine.raw_connection()
        conn = raw.driver_connection
        try:
            copier = Copier(conn, db.metadata)
            password_hash = generate_password_hash(PASSWORD)
            people = build_people(copier, args.scale, rng, password_hash,
                                  datetime.now(UTC))
            log(f"{len(people.bureaus)} bureaus, {len(people.units):,} units, "
                f"{len(people.names):,} users", started)
            build_evaluations(copier, people, templates, scheme_id, pdf, args.scale, rng,
                              started)
            copier.fix_sequences()
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            raw.close()
        # VACUUM as well as ANALYZE: a production database has been vacuumed by autovacuum, and
        # only then are index-only scans index-only (the visibility map is empty after COPY).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM (ANALYZE)")
        with db.engine.connect() as c:
            counts = {t: c.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                      for t in ("units", "users", "evaluations", "indicators", "revisions",
                                "signatures", "published_reports", "audit_events",
                                "notifications")}
        log("vacuumed and analyzed; rows: "
            + ", ".join(f"{t} {v:,}" for t, v in counts.items()), started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
