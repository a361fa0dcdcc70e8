"""A finding of the consistency review (审查): what is wrong, how bad, and where it points."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.StrEnum):
    """``error`` blocks submission; ``warning`` and ``info`` are shown but never block."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


# The parts of the content document a finding can point at (the editor has a tab for each).
PARTS = ("header", "funding", "expenses", "sub_projects", "indicators", "sections",
         "goals", "conclusion", "team", "grade_scheme")


@dataclass(frozen=True)
class Finding:
    """One contradiction or gap. ``part`` is a key of the content document; ``path`` locates
    the row inside it: an indicator code ("2.1.4"), a section key, a 1-based row number, or
    a field name."""

    code: str
    severity: Severity
    message: str
    part: str
    path: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``{code, severity, message, where: {part, path}}``."""
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "where": {"part": self.part, "path": self.path}}


def error(code: str, message: str, part: str, path: str = "") -> Finding:
    """A finding that blocks submission."""
    return Finding(code, Severity.ERROR, message, part, str(path))


def warning(code: str, message: str, part: str, path: str = "") -> Finding:
    """A finding to look at before signing; it does not block."""
    return Finding(code, Severity.WARNING, message, part, str(path))


def info(code: str, message: str, part: str, path: str = "") -> Finding:
    """A note; it does not block."""
    return Finding(code, Severity.INFO, message, part, str(path))
