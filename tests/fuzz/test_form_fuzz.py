"""A property-based fuzzer of every form (issue 9 item 9).

Every URL rule that accepts POST (outside the API, which schemathesis covers) is listed in
FORMS with the role that can reach it; ``test_every_post_rule_is_fuzzed`` fails when a new
one is added without being listed. For each form the fuzzer logs in as that role, reads the
form's page for its real field names and values (tests/htmlforms.py), then posts hostile
variants drawn by hypothesis — NUL, huge and non-ASCII text, 1e309, NaN, -0, 2**63, wrong
version numbers, formulas, SQL and HTML, missing and duplicated fields — 30 examples per form,
derandomized. No answer may be a 5xx; a refused change to the draft leaves its version and
content unchanged; afterwards the audit chain verifies.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.fuzz.conftest import tally
from tests.htmlforms import forms_of
from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.evaluations.document import content_hash, to_document
from workflow_app.evaluations.models import Evaluation, GradeScheme, IndicatorTemplate
from workflow_app.extensions import db
from workflow_app.units.models import Unit

# FUZZ_EXAMPLES / FUZZ_RANDOM=1: a longer or randomized run by hand (make test: 30, fixed)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, derandomize=not os.environ.get("FUZZ_RANDOM"),
                         database=None, deadline=None, suppress_health_check=list(HealthCheck),
                         print_blob=False)

# endpoint -> (role, url arguments, page whose forms name the fields). Roles are demo users;
# "anonymous" is a client that is not logged in; "target" a throwaway user for the security
# administrator's actions (so resetting a password ends no fuzzing session).
FORMS: dict[str, tuple[str, dict[str, str], str | None]] = {
    "auth.login": ("anonymous", {}, "/login"),
    "auth.change_password": ("member2", {}, "/account/password"),
    "auth.api_tokens": ("preparer", {}, "/account/tokens"),
    "auth.revoke_token": ("preparer", {"token_id": "token"}, "/account/tokens"),
    "public.verify": ("anonymous", {"code": "ABCD-1234"}, None),
    "admin.directory_import": ("admin", {}, "/admin/import"),
    "admin.scheme_edit": ("admin", {}, "/admin/schemes/new"),
    "admin.scheme_edit#id": ("admin", {"scheme_id": "scheme"}, "SELF"),
    "admin.template_edit": ("admin", {}, "/admin/templates/new"),
    "admin.template_edit#id": ("admin", {"template_id": "template"}, "SELF"),
    "admin.templates_install": ("admin", {}, "/admin/templates"),
    "admin.unit_edit": ("admin", {}, "/admin/units/new"),
    "admin.unit_edit#id": ("admin", {"unit_id": "unit"}, "SELF"),
    "admin.user_edit": ("admin", {}, "/admin/users/new"),
    "admin.user_edit#id": ("admin", {"user_id": "target"}, "SELF"),
    "audit.verify": ("auditor", {}, "/audit/"),
    "security.user": ("security", {"user_id": "target"}, "SELF"),
    "security.reset": ("security", {"user_id": "target"}, "/security/users/{target}"),
    "security.unlock_user": ("security", {"user_id": "target"}, "/security/users/{target}"),
    "notifications.set_due_date": ("finance", {}, "/"),
    "notifications.mark_read": ("preparer", {"notification_id": "1"}, "/notifications"),
    "notifications.mark_all_read": ("preparer", {}, "/notifications"),
    "overview.draw": ("finance", {}, "/overview/"),
    "jobs.export_list": ("finance", {}, "/jobs/exports"),
    "workflow.batch": ("finance", {"trigger": "accept"}, "/"),
    "workflow.comment": ("leader", {"evaluation_id": "draft"}, "/evaluations/{draft}"),
    "workflow.delegate": ("leader", {"evaluation_id": "draft"}, "/evaluations/{draft}"),
    "workflow.add_signer": ("preparer", {"evaluation_id": "draft"}, "/evaluations/{draft}"),
    "workflow.transition": ("preparer", {"evaluation_id": "draft", "trigger": "submit"},
                            "/evaluations/{draft}"),
    "workflow.transition#finance": ("finance", {"evaluation_id": "accepting",
                                                "trigger": "return"},
                                    "/evaluations/{accepting}"),
    "evaluations.create": ("preparer", {}, "/evaluations/new"),
    "evaluations.edit": ("preparer", {"evaluation_id": "draft"}, "SELF"),
    "evaluations.edit#header": ("preparer", {"evaluation_id": "draft", "part": "header"},
                                "SELF"),
    "evaluations.edit#funding": ("preparer", {"evaluation_id": "draft", "part": "funding"},
                                 "SELF"),
    "evaluations.edit#subs": ("preparer", {"evaluation_id": "draft", "part": "subs"}, "SELF"),
    "evaluations.edit#tree": ("preparer", {"evaluation_id": "draft", "part": "tree"}, "SELF"),
    "evaluations.edit#sections": ("preparer", {"evaluation_id": "draft", "part": "sections"},
                                  "SELF"),
    "evaluations.edit#team": ("preparer", {"evaluation_id": "draft", "part": "team"}, "SELF"),
    "evaluations.edit#member": ("member1", {"evaluation_id": "draft", "part": "scores"},
                                "SELF"),
    "evaluations.indicator": ("preparer", {"evaluation_id": "draft", "indicator_id": "leaf"},
                              "SELF"),
    "evaluations.evidence_upload": ("preparer", {"evaluation_id": "draft",
                                                 "indicator_id": "leaf"},
                                    "/evaluations/{draft}/indicators/{leaf}"),
    "evaluations.evidence_delete": ("preparer", {"evaluation_id": "draft", "evidence_id": "1"},
                                    "/evaluations/{draft}/indicators/{leaf}"),
    "evaluations.score_preview": ("preparer", {"evaluation_id": "draft"},
                                  "/evaluations/{draft}/edit/scores"),
    "findings.preview": ("preparer", {"evaluation_id": "draft"},
                         "/evaluations/{draft}/edit/scores"),
    "evaluations.tree_action": ("preparer", {"evaluation_id": "draft"},
                                "/evaluations/{draft}/edit/tree"),
    "exchange.import_page": ("preparer", {}, "/evaluations/import"),
    "exchange.import_xlsx_into": ("preparer", {"evaluation_id": "draft"}, "SELF"),
}
# Not fuzzed: logging out ends the fuzzing session itself (tested in tests/auth).
SKIPPED = {"auth.logout"}
ROLES = sorted({role for role, _, _ in FORMS.values()})

_HOSTILE = [
    "", " ", "\x00", "a\x00b", "长" * 5_000, "x" * 100_001, "1e309", "-1e309", "NaN", "nan",
    "Infinity", "-Infinity", "-0", "-1", "0", "0.001", "100.005", "1,000", "1e5", "2147483647",
    "2147483648", str(2**63), "-" + str(2**63), "9" * 40, "١٢٣", "³", "٣.٥", "😀" * 20,
    "=HYPERLINK(\"http://evil.example\",\"点我\")", "=1+1", "+1", "@SUM(A1)",
    "'; DROP TABLE users; --", "1 OR 1=1", "<script>alert(1)</script>", "\"><img src=x>",
    "../../etc/passwd", "\u202e反向", "true", "null", "[]", "{}", "2024-02-30", "9999-12-31",
    "0000-00-00", "\r\n", "\t",
]
hostile_values = st.one_of(st.sampled_from(_HOSTILE),
                           st.text(st.characters(codec="utf-8"), max_size=30),
                           st.integers(min_value=-2**70, max_value=2**70).map(str))


@st.composite
def mutations(draw, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:  # noqa: ANN001
    """The form's own fields, each kept, replaced by a hostile value, duplicated or dropped;
    sometimes an extra field, sometimes a version off by one."""
    out: list[tuple[str, str]] = []
    for name, value in fields:
        action = draw(st.sampled_from(["keep", "keep", "hostile", "hostile", "drop", "twice"]))
        if action == "keep":
            out.append((name, value))
        elif action == "hostile":
            out.append((name, draw(hostile_values)))
        elif action == "twice":
            out += [(name, value), (name, draw(hostile_values))]
        if name == "version" and value.isdigit() and draw(st.booleans()):
            out[-1:] = [(name, str(int(value) + draw(st.sampled_from([-1, 1, 10**9]))))]
    if not fields or draw(st.booleans()):
        extra = draw(st.sampled_from(["version", "reason", "comment", "id", "user_id", "page",
                                      "score", "weight", "name", "ids", "due_date", "x"]))
        out.append((extra, draw(hostile_values)))
    return out


def _ids(demo) -> dict[str, str]:  # noqa: ANN001
    """The url argument values (names as in FORMS) on the demo data."""
    draft = demo.website
    leaf = next(i for i in sorted(draft.indicators, key=lambda i: i.id) if not i.children)
    accepting = demo.seed001
    target = db.session.scalar(select(User).where(User.username == "fuzz_target"))
    return {
        "draft": str(draft.id), "leaf": str(leaf.id), "accepting": str(accepting.id),
        "target": str(target.id),
        "scheme": str(db.session.scalar(select(GradeScheme.id).order_by(GradeScheme.id))),
        "template": str(db.session.scalar(select(IndicatorTemplate.id)
                                          .order_by(IndicatorTemplate.id))),
        "unit": str(db.session.scalar(select(Unit.id).order_by(Unit.id))),
        "token": "1",
    }


def _url(app, endpoint: str, args: dict[str, str], ids: dict[str, str]) -> str:  # noqa: ANN001
    from flask import url_for

    values = {k: (ids.get(v, v)) for k, v in args.items()}
    with app.test_request_context():
        return url_for(endpoint.split("#")[0], **values).replace("http://localhost.test", "")


def _fields(client, page: str | None, url: str) -> list[tuple[str, str]]:  # noqa: ANN001
    """The fields of the form posting to ``url`` on ``page`` (else of its first form)."""
    if page is None:
        return []
    html = client.get(page).get_data(as_text=True)
    target = urlsplit(url).path
    for form in forms_of(html):
        action = form["attrs"].get("action") or page
        if urlsplit(action).path == target:
            return form["fields"]
    return []


def _snapshot(evaluation_id: int) -> tuple[int, str]:
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation_id)
    return evaluation.version, content_hash(to_document(evaluation))


@pytest.fixture
def fuzz_world(demo, make):
    """The demo data, a throwaway user for the security forms, and logged-in clients."""
    make.user(demo.users["preparer"].unit, username="fuzz_target", name="靶子")
    db.session.commit()
    return demo


def test_every_post_rule_is_fuzzed(app):
    posting = {r.endpoint for r in app.url_map.iter_rules()
               if "POST" in r.methods and not r.endpoint.startswith("api.")}
    listed = {name.split("#")[0] for name in FORMS} | SKIPPED
    assert posting <= listed, f"add to FORMS: {sorted(posting - listed)}"


@pytest.mark.parametrize("role", ROLES)
def test_every_form_survives_hostile_input(app, login, client, fuzz_world, role):
    """No 5xx on any hostile variant; refusals change nothing; the audit chain verifies."""
    demo = fuzz_world
    ids = _ids(demo)
    user = None if role == "anonymous" else demo.users[role]
    server_errors: list[str] = []
    for name, (owner, args, page) in FORMS.items():
        if owner != role:
            continue
        browser = client if user is None else login(user)
        url = _url(app, name, args, ids)
        page_url = url if page == "SELF" else (page.format(**ids) if page else None)
        fields = _fields(browser, page_url, url)
        db.session.rollback()
        watch = demo.website.id if args.get("evaluation_id") == "draft" else None
        _fuzz_form(name, browser, url, fields, watch, server_errors)
    assert not server_errors, "\n".join(server_errors[:10])
    db.session.rollback()
    result = trail.verify()
    assert result.ok, result.problem
    _check_integrity()


def _fuzz_form(name: str, browser, url: str, fields: list[tuple[str, str]],  # noqa: ANN001
               watch: int | None, server_errors: list[str]) -> None:
    """Post EXAMPLES hostile variants of one form; record 5xx (an exception the testing app
    propagates counts as one); a refused change must leave the watched draft unchanged."""

    @FUZZ_SETTINGS
    @given(data=mutations(fields))
    def post(data: list[tuple[str, str]]) -> None:
        before = _snapshot(watch) if watch else None
        try:
            status = browser.post(url, data=MultiDict(data), follow_redirects=False).status_code
            problem = f"HTTP {status}"
        except Exception as exc:  # noqa: BLE001 - the testing app re-raises what was a 500
            status, problem = 500, f"{type(exc).__name__}: {exc}"
        db.session.rollback()  # the request's transaction ends with the request
        tally("forms", status)
        if status >= 500:
            server_errors.append(f"{name}: {problem} {data!r}"[:2000])
        elif watch and 400 <= status < 500:
            assert _snapshot(watch) == before, f"{name} half-saved {data!r}"

    post()


def _check_integrity() -> None:
    """The full integrity check (chain, revisions, signatures, PDFs) finds no fault."""
    from workflow_app.integrity.verify import run

    report = run(write=False)
    assert report.ok, "\n".join(report.lines())


def test_hostile_values_include_the_issues_examples():
    assert {"\x00", "1e309", "NaN", "-0", str(2**63), "١٢٣"} <= set(_HOSTILE)
    assert any(re.match(r"=HYPERLINK", v) for v in _HOSTILE)
