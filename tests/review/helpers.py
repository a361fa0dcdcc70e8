"""Documents for the review tests: the real seeds, and small edits of them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from workflow_app.review import review_document

SEEDS = Path(__file__).resolve().parents[2] / "workflow_app" / "evaluations" / "seed_examples"


def seed(name: str) -> dict[str, Any]:
    """A fresh copy of seed000 (考核办 project) or seed001 (高邑县政府办 whole unit)."""
    return copy.deepcopy(json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8")))


def with_section(doc: dict[str, Any], body: str, key: str = "conclusion") -> dict[str, Any]:
    """The document with one section's text replaced (added when missing)."""
    for section in doc["sections"]:
        if section["key"] == key:
            section["body"] = body
            return doc
    doc["sections"].append({"key": key, "title": "四、评价结论", "body": body})
    return doc


def only_text(doc: dict[str, Any], body: str, key: str = "conclusion") -> dict[str, Any]:
    """The document whose whole narrative is one section with this text."""
    doc["sections"] = [{"key": key, "title": "四、评价结论", "body": body}]
    doc["overall_goal"] = doc["problems"] = doc["measures"] = ""
    return doc


def codes(doc: dict[str, Any], **kwargs: Any) -> list[str]:
    """The codes of the document's findings."""
    return [f.code for f in review_document(doc, **kwargs)]


def find(doc: dict[str, Any], code: str, **kwargs: Any) -> list:
    """The findings of one code."""
    return [f for f in review_document(doc, **kwargs) if f.code == code]


def leaf(doc: dict[str, Any], code: str) -> dict[str, Any]:
    """The indicator node at a position code ("2.1.4")."""
    nodes = doc["indicators"]
    node = None
    for part in code.split("."):
        node = nodes[int(part) - 1]
        nodes = node.get("children") or []
    return node
