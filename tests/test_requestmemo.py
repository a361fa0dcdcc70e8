"""requestmemo.once_per_read: one answer per read request, never across requests or writes."""

from __future__ import annotations

from workflow_app.requestmemo import once_per_read, remember_for_read


def _counter():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    return calls, build


def test_a_read_request_builds_once_per_key(app):
    calls, build = _counter()
    with app.test_request_context("/evaluations/1", method="GET"):
        assert once_per_read("k", build) == once_per_read("k", build) == 1
        assert once_per_read("other", build) == 2
    with app.test_request_context("/evaluations/1", method="GET"):  # the next request
        assert once_per_read("k", build) == 3
    assert len(calls) == 3


def test_a_write_or_no_request_always_builds(app):
    calls, build = _counter()
    with app.test_request_context("/evaluations/1", method="POST"):
        once_per_read("k", build)
        once_per_read("k", build)
    with app.app_context():
        once_per_read("k", build)
    assert len(calls) == 3


def test_an_app_context_spanning_requests_does_not_share(app):
    calls, build = _counter()
    with app.app_context():  # as a test's ctx fixture or a command holds one
        for _ in range(2):
            with app.test_request_context("/", method="GET"):
                once_per_read("k", build)
    assert len(calls) == 2


def test_a_value_handed_over_is_what_later_calls_get(app):
    calls, build = _counter()
    with app.test_request_context("/inbox", method="GET"):
        remember_for_read("count", 7)
        assert once_per_read("count", build) == 7
    with app.test_request_context("/inbox", method="POST"):
        remember_for_read("count", 7)  # a write keeps nothing
        assert once_per_read("count", build) == 1
    assert len(calls) == 1
