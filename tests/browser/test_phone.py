"""Every page at phone width (390 px): never wider than the screen, the navigation folded into
a menu that opens with one tap, wide tables scrolling inside their own box.

Each role logs in through the form and the test walks every page it can reach by links (one
page per URL pattern, /evaluations/3/edit/funding standing for every evaluation's funding tab),
asserting ``document.documentElement.scrollWidth <= 390`` and saving a screenshot of each.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from tests.browser.conftest import DESKTOP, PHONE
from workflow_app.demo import DEMO_PASSWORD, load_demo
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState

pytestmark = pytest.mark.browser

ROLES = ["preparer", "member1", "leader", "finance", "admin"]
# Not pages: downloads, machine-readable files and the API.
SKIP = re.compile(r"(/export\.|\.pdf$|\.json$|\.mmd$|\.svg$|/api/|/static/|/logout|/evidence/)")
MAX_PAGES = 40


@pytest.fixture
def demo(ctx):
    load_demo()
    db.session.commit()


def _pattern(path: str) -> str:
    """One page per pattern, except that each evaluation's read view is its own page (their
    states differ: a draft links to its editor tabs, a published one to its report)."""
    path = path.rstrip("/") or "/"
    if re.fullmatch(r"/evaluations/\d+", path):
        return path
    return re.sub(r"/\d+", "/N", path)


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=退出", state="attached")
    page.wait_for_load_state("load")  # the stylesheets too: visibility depends on them


def crawl(page, base: str, start: list[str], shot, prefix: str,
          skip_prefix: str = "") -> dict[str, int]:
    """Visit every page reachable by links from ``start`` (one per URL pattern; not those under
    ``skip_prefix``); returns {path: scrollWidth}."""
    widths: dict[str, int] = {}
    seen: set[str] = set()
    queue = [f"{base}{p}" for p in start]
    while queue and len(widths) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        pattern = _pattern(parts.path)
        if parts.netloc != urlsplit(base).netloc or pattern in seen or SKIP.search(parts.path) \
                or (skip_prefix and parts.path.startswith(skip_prefix)):
            continue
        seen.add(pattern)
        try:
            response = page.goto(url)
        except PlaywrightError as exc:  # a download (template, export), not a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status != 200:
            continue
        widths[parts.path] = page.evaluate("document.documentElement.scrollWidth")
        shot(page, f"{prefix}{pattern.strip('/').replace('/', '_') or 'home'}")
        # getAttribute, not .href: an SVG chart's <a> has an object there
        hrefs = page.eval_on_selector_all(
            "a[href]",
            "els => els.map(a => new URL(a.getAttribute('href'), document.baseURI).href)")
        queue.extend(h.split("#")[0] for h in hrefs)
    return widths


def test_every_page_fits_a_phone(demo, live_server, browser_page, shots):
    page = browser_page
    page.set_viewport_size(PHONE)
    too_wide: dict[str, int] = {}
    visited = 0
    for role in ROLES:
        login(page, live_server, role)
        # the public portal is walked once, anonymously, below
        widths = crawl(page, live_server, ["/", "/inbox"], shots, f"{role}-", "/public")
        assert len(widths) >= 2, (role, widths)
        visited += len(widths)
        too_wide.update({f"{role} {p}": w for p, w in widths.items() if w > PHONE["width"]})
    page.context.clear_cookies()
    widths = crawl(page, live_server, ["/login", "/public/", "/public/verify"], shots, "public-")
    visited += len(widths)
    too_wide.update({f"public {p}": w for p, w in widths.items() if w > PHONE["width"]})
    assert visited > 20
    assert too_wide == {}


def test_navigation_is_a_menu_on_a_phone(demo, live_server, browser_page, shots):
    page = browser_page
    page.set_viewport_size(PHONE)
    login(page, live_server, "finance")
    page.goto(f"{live_server}/")
    toggle = page.locator("[data-nav-toggle]")
    assert toggle.is_visible()
    assert page.get_attribute("[data-nav-toggle]", "aria-expanded") == "false"
    assert not page.locator("#topnav").is_visible()
    shots(page, "menu-closed")
    toggle.click()
    assert page.get_attribute("[data-nav-toggle]", "aria-expanded") == "true"
    links = page.locator("#topnav .mainnav a")
    assert links.count() >= 3
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        # one line each, as wide as the screen allows: never one character per line
        assert box["height"] < 48 and box["width"] > 200, (links.nth(i).inner_text(), box)
    shots(page, "menu-open")
    page.click("#topnav .mainnav a[data-nav=inbox]")
    page.wait_for_url(re.compile(r"/inbox$"))
    assert not page.locator("#topnav").is_visible()  # a new page starts with the menu closed


def test_navigation_is_a_bar_on_a_desktop(demo, live_server, browser_page):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "finance")
    assert not page.locator("[data-nav-toggle]").is_visible()
    links = page.locator("#topnav .mainnav a")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1  # one row


def test_a_wide_table_scrolls_inside_its_box(demo, live_server, browser_page, shots):
    page = browser_page
    page.set_viewport_size(PHONE)
    draft = db.session.scalar(select(Evaluation.id).where(
        Evaluation.state == EvaluationState.DRAFT).order_by(Evaluation.id))
    login(page, live_server, "preparer")
    page.goto(f"{live_server}/evaluations/{draft}/edit/scores")
    table = page.locator("#scoring-table")
    scroll, client = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert scroll > client  # the table is wider than the screen and scrolls in its own box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, "scoring-table")
