"""Fixtures of the fuzz tests: demo data, API tokens, and a tally of the requests sent and
the 5xx seen (printed in the terminal summary; appended to FUZZ_TALLY_FILE when set)."""

from __future__ import annotations

import os
from collections import Counter

from tests.api.conftest import token_for  # noqa: F401
from tests.exchange.conftest import demo  # noqa: F401
from tests.tallies import append_to_file, print_summary

#: {fuzzer name: Counter(requests=…, server_errors=…)} of this pytest process.
TALLY: dict[str, Counter] = {}


def tally(fuzzer: str, status: int) -> None:
    """Count one request of ``fuzzer`` and whether it was answered with a 5xx."""
    counts = TALLY.setdefault(fuzzer, Counter())
    counts["requests"] += 1
    counts[f"{status // 100}xx"] += 1
    if status >= 500:
        counts["server_errors"] += 1


def _lines() -> list[str]:
    db_name = os.environ.get("TEST_DB", "sqlite")
    return [f"fuzz[{name}] on {db_name}: {c['requests']} requests, {c['server_errors']} 5xx"
            f" ({', '.join(f'{k} {c[k]}' for k in ('2xx', '3xx', '4xx') if c[k])})"
            for name, c in sorted(TALLY.items())]


def pytest_sessionfinish(session):  # noqa: ANN001
    """FUZZ_TALLY_FILE (optional) gets this process's figures appended, one line each (with
    xdist every worker appends its own)."""
    append_to_file("FUZZ_TALLY_FILE", _lines() if TALLY else [])


def pytest_terminal_summary(terminalreporter):  # noqa: ANN001
    """Print the figures (without xdist; workers' are in FUZZ_TALLY_FILE)."""
    print_summary(terminalreporter, "fuzz figures", _lines() if TALLY else [])
