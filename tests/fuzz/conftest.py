"""Fixtures of the fuzz tests: demo data, API tokens, and a tally of the requests sent and
the 5xx seen (printed in the terminal summary; appended to FUZZ_TALLY_FILE when set)."""

from __future__ import annotations

from tests.api.conftest import token_for  # noqa: F401
from tests.exchange.conftest import demo  # noqa: F401
from tests.tallies import Tally


def _line(name: str, c, database: str) -> str:  # noqa: ANN001
    return (f"fuzz[{name}] on {database}: {c['requests']} requests, {c['server_errors']} 5xx"
            f" ({', '.join(f'{k} {c[k]}' for k in ('2xx', '3xx', '4xx') if c[k])})")


#: {fuzzer name: Counter(requests=…, server_errors=…, 2xx=…)} of this pytest process.
TALLY = Tally("fuzz figures", "FUZZ_TALLY_FILE", _line)


def tally(fuzzer: str, status: int) -> None:
    """Count one request of ``fuzzer`` and whether it was answered with a 5xx."""
    counts = TALLY[fuzzer]
    counts["requests"] += 1
    counts[f"{status // 100}xx"] += 1
    counts["server_errors"] += status >= 500


def pytest_sessionfinish(session):  # noqa: ANN001
    """FUZZ_TALLY_FILE (optional) gets this process's figures appended, one line each (with
    xdist every worker appends its own)."""
    TALLY.append_to_file()


def pytest_terminal_summary(terminalreporter):  # noqa: ANN001
    """Print the figures (without xdist; workers' are in FUZZ_TALLY_FILE)."""
    TALLY.print_summary(terminalreporter)
