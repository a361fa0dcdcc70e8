"""Figures a test module counts for the closing note (fuzz requests and 5xx, tampering cases
tried and detected): printed in the terminal summary and, because xdist workers print none,
appended to a file named by an environment variable."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable


class Tally:
    """Counters by name (a fuzzer, a connection) of one pytest process, and their lines."""

    def __init__(self, title: str, variable: str,
                 line: Callable[[str, Counter, str], str]) -> None:
        self.title, self.variable, self._line = title, variable, line
        self.counts: dict[str, Counter] = {}

    def __getitem__(self, name: str) -> Counter:
        return self.counts.setdefault(name, Counter())

    def lines(self) -> list[str]:
        """One line per name, naming the database the suite ran on."""
        database = os.environ.get("TEST_DB", "sqlite")
        return [self._line(name, c, database) for name, c in sorted(self.counts.items())]

    def append_to_file(self) -> None:
        """Append the lines to the file ``$variable`` names (nothing when unset or empty)."""
        target = os.environ.get(self.variable)
        if self.counts and target:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write("\n".join(self.lines()) + "\n")

    def print_summary(self, terminalreporter) -> None:  # noqa: ANN001
        """Write the lines under a separator of pytest's terminal summary."""
        if self.counts:
            terminalreporter.write_sep("-", self.title)
            for line in self.lines():
                terminalreporter.write_line(line)
