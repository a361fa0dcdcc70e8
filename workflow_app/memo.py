"""Bounded per-process memos for derived read answers, and one switch that empties them all.

A memo keeps what a read page derived from stored rows (a rendered fragment, a content
document, a count) under a key that names the rows' state — a version, a published marker —
so a changed row is a new key and an old answer is never served for it. Every memo made here
is registered, so that :func:`forget_all` can empty them when the database under the process
is replaced (a test's fresh database, a restore from a backup).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from typing import Any

_ALL: weakref.WeakSet[Memo] = weakref.WeakSet()
# Keys of memos whose rows can also change outside the operations that bump their marker
# (a renamed user or unit, a grade scheme edited by an administrator) carry the minute too.
MINUTE = 60


def this_minute() -> int:
    """The current minute (a key part bounding how long out-of-band changes go unseen)."""
    return int(time.time() // MINUTE)


class Memo:
    """A bounded, thread-safe LRU map from a key to a derived answer (shared: read-only)."""

    def __init__(self, size: int = 512) -> None:
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        _ALL.add(self)

    def get(self, key: Any) -> Any:
        """The answer kept under ``key``, or None."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def put(self, key: Any, value: Any) -> None:
        """Keep ``value`` under ``key`` (the least recently used answer goes when full)."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def get_or_build(self, key: Any, build: Any) -> Any:
        """The answer kept under ``key``, else ``build()`` kept there (two threads missing at
        once both build; the answers are equal, the second is kept)."""
        found = self.get(key)
        if found is None:
            found = build()
            self.put(key, found)
        return found

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def forget_all() -> None:
    """Empty every memo of the process (the database under it was replaced)."""
    for memo in list(_ALL):
        memo.clear()
