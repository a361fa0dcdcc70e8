"""The integrity check's result: one ``CheckResult`` per check, gathered in a ``Report``.

A check counts what it looked at, counts its faults and keeps the FIRST one (in id order) with
its details; warnings (e.g. a report published before its hash was recorded in the audit
event) are counted apart and never make the report fail. ``Report.lines()`` gives one Chinese
line per check; exactly the faulty lines contain "异常".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class CheckResult:
    """One check: what it covers, how much it read, its faults and warnings."""

    key: str
    label: str
    unit: str = "项"
    checked: int = 0
    faults: int = 0
    first: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    warnings: int = 0
    first_warning: str | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        """No fault found."""
        return self.faults == 0

    def fault(self, message: str, **detail: Any) -> None:
        """Count a fault; the first one is kept with its details."""
        self.faults += 1
        if self.first is None:
            self.first = message
            self.detail = detail

    def warn(self, message: str) -> None:
        """Count a warning (the report still passes); the first one is kept."""
        self.warnings += 1
        if self.first_warning is None:
            self.first_warning = message

    def line(self) -> str:
        """One Chinese line; it contains "异常" exactly when the check found a fault."""
        if self.faults:
            more = f"（共 {self.faults} 处，已检查 {self.checked} {self.unit}）"
            return f"{self.label}：异常 — {self.first}{more}"
        text = f"{self.label}：通过（{self.checked} {self.unit}）"
        if self.note:
            text += f"，{self.note}"
        if self.warnings:
            text += f"；提示 {self.warnings} 处：{self.first_warning}"
        return text


@dataclass
class Report:
    """Every check of one run: ``ok`` when none found a fault."""

    at: datetime
    checks: list[CheckResult]

    @property
    def ok(self) -> bool:
        """No check found a fault."""
        return all(c.ok for c in self.checks)

    def lines(self) -> list[str]:
        """One Chinese line per check (faulty ones contain "异常")."""
        return [c.line() for c in self.checks]

    def check(self, key: str) -> CheckResult | None:
        """The check with this key, if it ran."""
        return next((c for c in self.checks if c.key == key), None)

    def as_dict(self) -> dict[str, Any]:
        """What the result file keeps (``verify.last_result``)."""
        return {
            "ok": self.ok,
            "at": self.at.isoformat(),
            "checked": {c.key: c.checked for c in self.checks},
            "faults": {c.key: {"message": c.first, "count": c.faults, "label": c.label,
                               **_plain(c.detail)} for c in self.checks if c.faults},
            "warnings": {c.key: {"message": c.first_warning, "count": c.warnings}
                         for c in self.checks if c.warnings},
            "lines": self.lines(),
        }


def _plain(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
            for k, v in detail.items()}
