"""Workflow pages: fire a trigger, 转交, 加签, indicator comments, batches, the diagram."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Install the model guard, the blueprint and the template helpers."""
    from workflow_app.workflow import guards  # noqa: F401  (installs the before_flush guard)
