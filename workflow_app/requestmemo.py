"""Values computed once per read request.

A read page asks several parts of the domain for the same things — the revision under
review, its signatures, the evaluation's content document — and each asked the database or
rebuilt the document again (the detail page built the document three times and read the
signatures three times). Within one GET or HEAD request nothing changes them, so the first
answer is kept with the request (its WSGI environ) until it ends. In any other request, and outside
a request (commands, jobs, tests of the domain), every call computes afresh: writes must see
their own changes.

What is kept is shared: callers treat it as read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import has_request_context, request

T = TypeVar("T")
_READS = frozenset({"GET", "HEAD"})


def _store() -> dict | None:
    if not has_request_context() or request.method not in _READS:
        return None
    # On the request's environ, not flask.g: an application context (and its g) can outlive
    # one request — a test's, or a command's that serves several.
    return request.environ.setdefault("jixiao.request_memo", {})


def once_per_read(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, remembered under ``key`` for the rest of this GET/HEAD request."""
    store = _store()
    if store is None:
        return build()
    if key not in store:
        store[key] = build()
    return store[key]


def remember_for_read(key: Hashable, value: object) -> None:
    """Hand ``value`` to later ``once_per_read(key, …)`` calls of this GET/HEAD request (a
    page that computed it along the way); elsewhere nothing."""
    store = _store()
    if store is not None:
        store[key] = value
