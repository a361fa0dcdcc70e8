"""Portal pages for visitors without a session, remembered until the next publication.

The list and a report's page are the same for every visitor without cookies, for the same
path and query string: no name in the header, no form token, no messages. The published set
changes only by a publication (published reports are never changed or removed, an
evaluation never leaves 已公开), which changes
:func:`~workflow_app.public.queries.published_marker`; a rendered page is kept under that
marker, the path, the query string and the minute, so a renamed unit shows within a minute.
Only the HTML is kept: every answer gets its own headers. Bounded, per process (emptied by
``memo.forget_all`` when the database is replaced). A request
carrying any cookie (a signed-in user, a flashed message) is rendered afresh.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request

from workflow_app.memo import Memo, this_minute
from workflow_app.public.queries import published_marker

_pages = Memo(size=256)


def anonymous_page(name: str, render: Callable[[], str]) -> str:
    """``render()``, or the page it gave for the same request since the last publication."""
    if request.cookies:
        return render()
    return _pages.get_or_build((name, published_marker(), request.path, request.query_string,
                                this_minute()), render)

