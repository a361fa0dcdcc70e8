"""The printed self-evaluation report (pure reportlab renderer)."""

from .render import render_report

__all__ = ["render_report"]
