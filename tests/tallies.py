"""Figures a test module counts for the closing note (fuzz requests and 5xx, tampering cases
tried and detected): printed in the terminal summary and, because xdist workers print none,
appended to a file named by an environment variable."""

from __future__ import annotations

import os


def append_to_file(variable: str, lines: list[str]) -> None:
    """Append ``lines`` to the file ``$variable`` names (nothing when unset or no lines)."""
    target = os.environ.get(variable)
    if lines and target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


def print_summary(terminalreporter, title: str, lines: list[str]) -> None:  # noqa: ANN001
    """Write ``lines`` under a ``title`` separator of pytest's terminal summary."""
    if lines:
        terminalreporter.write_sep("-", title)
        for line in lines:
            terminalreporter.write_line(line)
