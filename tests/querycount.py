"""Count the SQL statements a block of code sends (to catch N+1 queries).

``count_queries()`` listens to SQLAlchemy's ``before_cursor_execute`` on the app's engine; the
counter's ``statements`` keeps the SQL for the failure message. Savepoint and transaction
bookkeeping (``SAVEPOINT``/``RELEASE``) are not queries and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from workflow_app.extensions import db

_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class QueryCounter:
    """How many statements ran, and which."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        """The statements, numbered, for an assertion message."""
        return "\n".join(f"{i:3}: {s[:160]}" for i, s in enumerate(self.statements, 1))


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Count the statements sent on the app's engine inside the ``with`` block."""
    counter = QueryCounter()

    def _count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
            counter.statements.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def patterns(counter: QueryCounter) -> list[tuple[int, str]]:
    """The statements grouped by their first 100 characters, most frequent first."""
    from collections import Counter

    return Counter(s[:100] for s in counter.statements).most_common()
