"""What the read pages derive from an evaluation's stored content, kept per process.

The read page of an evaluation and the API read the same content many times between two
edits: its content document (33 to 300 indicators with their evidence), its scores and the
rendered report body (basic information, the scoring table, funding, the text, the team). Every edit
of the content goes through an operation that bumps the evaluation's ``version`` (the
optimistic lock, ``operations.common._touch``) and its ``updated_at``, and locked content
cannot change at all (the database's triggers). So ``(id, version, updated_at)`` names the
content: a remembered answer under it is the answer. The minute is part of the key too, for
what lives in other rows and may change without an edit (a member renamed, a grade scheme
edited by an administrator): seen within a minute.

Only GET and HEAD requests use these memos, and a POST that declares it saves nothing
(``reads_only``: the live score preview). Writes, commands and jobs always build from the
rows: a signature binds the hash of the content the database holds, never a remembered one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import has_request_context, request

from workflow_app.memo import Memo, this_minute

T = TypeVar("T")
_READS = frozenset({"GET", "HEAD"})
_derived = Memo(size=2048)  # documents and scores
_fragments = Memo(size=512)


def reads_only() -> None:
    """Declare the current request a read whatever its method: a POST that computes from the
    stored content and saves nothing (the editor's live score preview)."""
    request.environ["jixiao.reads_only"] = True


def content_key(evaluation: Any) -> tuple[Hashable, ...] | None:
    """The key naming the evaluation's stored content in this read request, or None when
    nothing may be remembered (not a read request, or an evaluation not stored yet)."""
    if not has_request_context() or (request.method not in _READS
                                      and not request.environ.get("jixiao.reads_only")):
        return None
    state = getattr(evaluation, "_sa_instance_state", None)
    if state is None or not state.persistent or state.modified:
        return None
    if evaluation.id is None or evaluation.version is None:
        return None
    return evaluation.id, evaluation.version, evaluation.updated_at, this_minute()


def remembered(what: str, evaluation: Any, build: Callable[[], T]) -> T:
    """``build()`` for the evaluation's stored content — its document ("document"), its
    scores ("scores") — remembered in read requests (shared: read-only)."""
    key = content_key(evaluation)
    return build() if key is None else _derived.get_or_build((what, *key), build)


def remembered_document(evaluation: Any, build: Callable[[], T]) -> T:
    """The evaluation's content document: remembered in read requests (shared: read-only)."""
    return remembered("document", evaluation, build)


def remembered_fragment(name: str, evaluation: Any, variant: Hashable,
                        render: Callable[[], str]) -> str:
    """A rendered piece of the read page that depends only on the evaluation's content and
    ``variant`` (what else it shows, e.g. the comments under indicators)."""
    key = content_key(evaluation)
    return render() if key is None else _fragments.get_or_build((name, variant, *key), render)
