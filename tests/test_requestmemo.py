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


def test_the_shared_document_is_not_changed_by_its_readers(app, make, db_session):
    """Within a read request every reader gets the same document, so none may change it: the
    API's read form (export, scores, findings, signatures) leaves it as built, and the content
    hash it reports is the document's own."""
    import copy

    from workflow_app.api.evaluations import evaluation_json
    from workflow_app.evaluations.document import content_hash, to_document

    evaluation = make.evaluation()
    db_session.commit()
    fresh = copy.deepcopy(to_document(evaluation))
    with app.test_request_context(f"/api/v1/evaluations/{evaluation.id}", method="GET"):
        shared = to_document(evaluation)
        assert to_document(evaluation) is shared
        read = evaluation_json(evaluation)
        assert to_document(evaluation) == fresh
        assert read["content_hash"] == content_hash(fresh)
