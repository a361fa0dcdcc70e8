"""Small helpers shared by the report downloads (in-app, API and public portal)."""

from __future__ import annotations

from urllib.parse import quote

from workflow_app.evaluations.models import Evaluation


def report_title(doc: dict) -> str:
    """The report's title as the renderer prints it (imported lazily: reportlab is heavy)."""
    from workflow_app.reports.render import report_title as title_of

    return title_of(doc)


def report_filename(evaluation: Evaluation, *, suffix: str = "") -> str:
    """The Chinese download name of an evaluation's report, e.g. "…绩效自评报告.pdf"."""
    title = report_title({
        "unit": {"name": evaluation.unit.name},
        "fiscal_year": evaluation.fiscal_year,
        "project_name": evaluation.project_name,
        "kind": evaluation.kind.value,
        "title_word": evaluation.title_word.value if evaluation.title_word else "",
    })
    name = f"{title}{suffix}.pdf"
    # Path separators and control characters never belong in a file name.
    return "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name)


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with the Chinese name (RFC 5987) and a plain ASCII fallback."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
