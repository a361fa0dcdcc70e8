"""What the ``pager`` macro reads from a page of a list, shared by the lists that paginate.

A page class gives ``page`` (1-based), ``per_page`` and ``total``; this mixin derives the
rest under the names Flask-SQLAlchemy's pagination uses, which the macro expects.
"""

from __future__ import annotations

import math


class PagerMixin:
    """``pages``, ``has_prev``, ``has_next``, ``prev_num`` and ``next_num`` of a page."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
