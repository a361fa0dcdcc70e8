"""Fixtures of the fuzz tests: demo-like data, API tokens, the OpenAPI schema for schemathesis,
and a tally of the requests sent and the 5xx seen (written to the terminal summary)."""

from __future__ import annotations

import os
from collections import Counter

from tests.api.conftest import token_for  # noqa: F401
from tests.exchange.conftest import demo  # noqa: F401

#: {fuzzer name: Counter(requests=…, server_errors=…)} of this pytest process.
TALLY: dict[str, Counter] = {}


def tally(fuzzer: str, status: int) -> None:
    """Count one request of ``fuzzer`` and whether it was answered with a 5xx."""
    counts = TALLY.setdefault(fuzzer, Counter())
    counts["requests"] += 1
    counts[f"{status // 100}xx"] += 1
    if status >= 500:
        counts["server_errors"] += 1


def pytest_terminal_summary(terminalreporter):  # noqa: ANN001
    """Print the figures; FUZZ_TALLY_FILE (optional) gets them appended as one line each."""
    if not TALLY:
        return
    db_name = os.environ.get("TEST_DB", "sqlite")
    lines = [f"fuzz[{name}] on {db_name}: {c['requests']} requests, {c['server_errors']} 5xx"
             f" ({', '.join(f'{k} {c[k]}' for k in ('2xx', '3xx', '4xx') if c[k])})"
             for name, c in sorted(TALLY.items())]
    terminalreporter.write_sep("-", "fuzz figures")
    for line in lines:
        terminalreporter.write_line(line)
    target = os.environ.get("FUZZ_TALLY_FILE")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
