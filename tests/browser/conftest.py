"""A live server on 127.0.0.1:<free port> against the test database, and a Chromium page.

The live server is a second app instance on the same database (the session app has a
SERVER_NAME for url_for in tests, which a browser on 127.0.0.1 would not match). CSRF stays on:
the browser goes through the real forms.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app, database_url):
    """The base URL of the app served by werkzeug in a thread (stopped after the test)."""
    from werkzeug.serving import make_server

    from workflow_app import create_app

    served = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url,
                                    "WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        with served.app_context():
            from workflow_app.extensions import db

            db.session.remove()
            db.engine.dispose()


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
# Parametrize a test with `@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)`
# to run it at both widths (the direct parameter overrides the fixture below).
VIEWPORTS = [PHONE, DESKTOP]
VIEWPORT_IDS = ["390px", "1440px"]


def click_to_load(page, selector: str) -> None:
    """Click something that navigates and return once the new page has loaded (a bare click
    returns before the navigation starts, so the old page could still be read)."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


@pytest.fixture
def viewport():
    """The browser window's size (tests parametrize it to run at phone and desktop widths)."""
    return {"width": 1360, "height": 900}


@pytest.fixture
def browser_page(viewport):
    """A fresh Chromium page (system Chromium, no downloads)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium: run scripts/system-deps.sh "
                    "--with-browser (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30000)  # the CI machine is shared and slow
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def shots(request):
    """shot(page, name): save a full-page screenshot under test-artifacts/<test>/."""
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def _shot(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
