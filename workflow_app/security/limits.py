"""Hostile input stops at the door: one place for the limits every request obeys.

- URL ids: the ``int`` converter only matches 1 … 2³¹−1 (PostgreSQL's INTEGER), so an id
  above that is a 404, never a database overflow.
- Query strings and forms: no NUL byte (PostgreSQL cannot store one), bounded field count
  and length, numeric ids and page numbers within range. A violation is a 400 with a Chinese
  message; the view never runs, so nothing is half-saved.
- JSON (``safe_json_loads``): nesting depth, no NaN/Infinity/overflowing numbers, no NUL,
  bounded strings; used by the API's body parser and the JSON import.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER: every id column
MAX_FIELDS = 5_000  # the score table of a 300-indicator evaluation posts ~2,000 fields
MAX_FIELD_CHARS = 100_000  # a long 自评报告 section is ~10,000 characters
MAX_ARG_CHARS = 1_000
MAX_JSON_DEPTH = 32  # the deepest real document (indicator tree) nests ~12 levels
MAX_JSON_INT = 10**15

# Keys whose values are ids or page numbers: digits only, 0 … INT_MAX.
_ID_KEY = re.compile(r"(^|_)(id|page|per_page|year|copy|unit|fiscal_year|on_behalf_of|"
                     r"member|delegate|user|version)$")


class InputRefused(ValueError):
    """The request carries input the application refuses to process (Chinese message)."""


# 0 … 2147483647 as a regex (leading zeros allowed, as IntegerConverter allows them). The
# range is in the regex, not only in ``max``: werkzeug notes a method mismatch before it runs
# the converter, so with ``\d+`` a PUT to /evaluations/99999999999 answered 405, not 404
# (found by schemathesis).
_INT_MAX_RE = (r"0*(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
               r"|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}"
               r"|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])")


class BoundedInt(IntegerConverter):
    """``<int:…>`` that matches only what fits an INTEGER column (else the route 404s)."""

    regex = _INT_MAX_RE

    def __init__(self, map, *args, **kwargs):  # noqa: A002, ANN001
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def check_text(value: str, where: str, limit: int) -> None:
    """Refuse a NUL byte or an over-long value."""
    if "\x00" in value:
        raise InputRefused(f"{where}含有不可见的空字符（NUL），请删除后重试。")
    if len(value) > limit:
        raise InputRefused(f"{where}过长（最多 {limit} 个字符）。")


def check_id_like(key: str, value: str) -> None:
    """An id, year or page number given as digits must fit an INTEGER."""
    if not _ID_KEY.search(key):
        return
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if digits.isascii() and digits.isdigit() and (
            len(digits.lstrip("0")) > 10 or int(digits) > INT_MAX):
        raise InputRefused(f"参数“{key[:40]}”超出允许的范围。")


def check_request() -> None:
    """Every limit on the current request's query string and form (raises InputRefused)."""
    args = request.args
    if len(args) > MAX_FIELDS:
        raise InputRefused("请求参数过多。")
    for key, value in args.items(multi=True):
        check_text(key, "参数名", MAX_ARG_CHARS)
        check_text(value, f"参数“{key[:40]}”", MAX_ARG_CHARS)
        check_id_like(key, value)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        form = request.form
        if len(form) > MAX_FIELDS:
            raise InputRefused("表单字段过多。")
        for key, value in form.items(multi=True):
            if key is None:  # a multipart part without a usable name (found by schemathesis)
                raise InputRefused("表单中有没有名称的字段。")
            check_text(key, "字段名", MAX_ARG_CHARS)
            check_text(value, f"字段“{key[:40]}”", MAX_FIELD_CHARS)
            check_id_like(key, value)
        for key, upload in request.files.items(multi=True):
            if key is None:
                raise InputRefused("表单中有没有名称的文件字段。")
            check_text(key, "字段名", MAX_ARG_CHARS)
            check_text(upload.filename or "", "文件名", 255)


# --------------------------------------------------------------------------- JSON


def _refuse_constant(name: str) -> Any:
    raise InputRefused(f"JSON 中不允许出现 {name}。")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InputRefused(f"JSON 中的数字 {text[:40]} 超出范围。")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_JSON_INT:
        raise InputRefused(f"JSON 中的整数 {text[:40]} 超出范围。")
    return int(text)


def json_depth_ok(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets outside strings nest no deeper than ``limit`` (checked before
    parsing, so a 5,000-level document never reaches the recursive parser)."""
    depth = 0
    in_string = False
    escaped = False
    # Only the structural characters matter; a regex finds them fast even in large bodies.
    for match in re.finditer(r'[\[\]{}"\\]', text):
        ch = match.group()
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        escaped = False
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def check_json_value(value: Any, where: str = "JSON") -> None:
    """Walk a parsed JSON value: no NUL in any key or string, strings bounded."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            check_text(item, "JSON 中的文本", MAX_FIELD_CHARS)
        elif isinstance(item, dict):
            for key, child in item.items():
                check_text(key, "JSON 中的字段名", MAX_ARG_CHARS)
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def safe_json_loads(text: str, **kwargs: Any) -> Any:
    """``json.loads`` with the limits above; raises InputRefused (a ValueError) or
    json.JSONDecodeError, never RecursionError or a non-finite number."""
    if not json_depth_ok(text):
        raise InputRefused(f"JSON 嵌套层级过深（最多 {MAX_JSON_DEPTH} 层）。")
    kwargs.setdefault("parse_constant", _refuse_constant)
    kwargs.setdefault("parse_float", _finite_float)
    kwargs.setdefault("parse_int", _bounded_int)
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise InputRefused("JSON 嵌套层级过深。") from None
    check_json_value(value)
    return value


# --------------------------------------------------------------------------- wiring


def register(app: Flask) -> None:
    """Install the bounded ``int`` converter (before any route is added) and the hook."""
    app.url_map.converters["int"] = BoundedInt

    @app.before_request
    def _check_limits() -> None:
        try:
            check_request()
        except InputRefused as exc:
            abort(400, description=str(exc))
