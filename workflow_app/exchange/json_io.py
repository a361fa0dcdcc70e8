"""JSON exchange of an evaluation (docs/evaluation-schema.md, docs/evaluation-schema.json).

Export is the content document itself (`evaluations.document.to_document`), so an export is
byte for byte what would be signed. Import reads bytes, checks them against the JSON Schema
(structure: types, required and unknown fields, decimal strings) and then lets
`evaluations.document.apply_document` check the meaning (weights add up, team members exist,
…). Every problem is reported at once, in Chinese; nothing is created when there is one.

The JSON Schema subset understood here (enough for our schema, no dependency needed):
``type`` (one or a list), ``properties``, ``required``, ``additionalProperties: false``,
``items``, ``enum``, ``const``, ``pattern``, ``minimum``, ``maximum``, ``minLength``,
``maxLength``, ``minItems``, ``maxItems`` and local ``$ref`` ("#/$defs/…").
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from workflow_app.auth.models import User
from workflow_app.evaluations.document import DocumentError, to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.operations import create_from_document

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "evaluation-schema.json"
MAX_PROBLEMS = 50

_TYPE_NAMES = {
    "object": "对象", "array": "列表", "string": "文本", "integer": "整数",
    "number": "数字", "boolean": "true/false", "null": "null",
}


@cache
def json_schema() -> dict[str, Any]:
    """The JSON Schema of the content document (docs/evaluation-schema.json)."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def export_document(evaluation: Evaluation) -> dict[str, Any]:
    """The exchange JSON of an evaluation: its content document (grade band minimums are
    already plain decimals there, "60" and not "6E+1": ``GradeScheme.as_dict``)."""
    return to_document(evaluation)


def dumps(doc: dict[str, Any]) -> str:
    """Readable, stable JSON text for a file (UTF-8 Chinese kept as is)."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def parse_bytes(data: bytes) -> Any:
    """Decode a JSON file; raise DocumentError with a Chinese message when it is not JSON."""
    if not data or not data.strip():
        raise DocumentError(["文件为空"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(["文件不是 UTF-8 编码的 JSON 文本"]) from None
    from workflow_app.security.limits import InputRefused, safe_json_loads

    try:
        return safe_json_loads(text, parse_float=_refuse_float)
    except InputRefused as exc:
        raise DocumentError([str(exc)]) from None
    except _FloatFound as exc:
        raise DocumentError([
            f"文件中出现了浮点数 {exc.args[0]}：金额、分值和得分须写成数字文本（如 \"12.5\"）"
        ]) from None
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        raise DocumentError([f"文件不是有效的 JSON（{where}）"]) from None


class _FloatFound(ValueError):
    pass


def _refuse_float(text: str) -> Any:
    raise _FloatFound(text)


def _path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "（文件顶层）"


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    return False


def _validate(value: Any, schema: dict[str, Any], path: list[str | int],
              problems: list[str]) -> None:
    if len(problems) >= MAX_PROBLEMS:
        return
    if "$ref" in schema:
        ref = schema["$ref"]
        target = json_schema()["$defs"][ref.rsplit("/", 1)[-1]]
        _validate(value, {**target, **{k: v for k, v in schema.items() if k != "$ref"}},
                  path, problems)
        return
    where = f"字段 {_path(path)}"
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where} 应为 {json.dumps(schema['const'], ensure_ascii=False)}，"
                        f"实际为 {json.dumps(value, ensure_ascii=False)}")
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = "、".join(str(v) for v in schema["enum"])
        problems.append(f"{where} 的值 {json.dumps(value, ensure_ascii=False)} 无效，"
                        f"应为：{allowed}")
        return
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(_type_ok(value, t) for t in types):
            if "string" in types and schema.get("pattern") and isinstance(value, int | float) \
                    and not isinstance(value, bool):
                problems.append(f"{where} 应为数字文本（如 \"12.5\"），不接受 JSON 数字")
            else:
                wanted = "或".join(_TYPE_NAMES.get(t, t) for t in types)
                problems.append(f"{where} 应为{wanted}")
            return
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            title = schema.get("title") or ""
            hint = "数字文本，最多 10 位整数、4 位小数" if "\\d{1," in schema["pattern"] else \
                "格式不正确"
            if "\\d{4}-" in schema["pattern"]:
                hint = "日期，格式 YYYY-MM-DD"
            problems.append(f"{where}{title and '（' + title + '）'} 应为{hint}：{value!r}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{where} 不能超过 {schema['maxLength']} 个字")
        if "minLength" in schema and len(value.strip()) < schema["minLength"]:
            problems.append(f"{where} 不能为空")
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where} 不能小于 {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where} 不能大于 {schema['maximum']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.append(f"{where} 至少需要 {schema['minItems']} 项")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{where} 最多 {schema['maxItems']} 项")
        if "items" in schema:
            for i, item in enumerate(value):
                _validate(item, schema["items"], [*path, i], problems)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where if path else '文件'}缺少必填字段“{key}”")
        if schema.get("additionalProperties") is False:
            for key in value:
                if key not in props:
                    problems.append(f"{where if path else '文件'}中有未知字段“{key}”")
        for key, sub in props.items():
            if key in value:
                _validate(value[key], sub, [*path, key], problems)


def schema_problems(doc: Any) -> list[str]:
    """Chinese descriptions of every way `doc` breaks the JSON Schema (empty when valid)."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        return ["文件内容不是一个评价对象（JSON 对象）"]
    if doc.get("schema") != "jixiao-ziping/evaluation":
        return ["不是本系统的评价文件（schema 应为 jixiao-ziping/evaluation）"]
    if doc.get("version") != 1:
        return [f"不支持的文件版本 {doc.get('version')!r}，本系统支持版本 1"]
    _validate(doc, json_schema(), [], problems)
    return problems


def validate_document(doc: Any) -> dict[str, Any]:
    """Return `doc` when it satisfies the JSON Schema, else raise DocumentError."""
    problems = schema_problems(doc)
    if problems:
        raise DocumentError(problems)
    return doc


def import_document(doc: Any, *, preparer: User) -> Evaluation:
    """A new draft in the preparer's unit whose content is the document's (flushes).

    Raises DocumentError (every problem, Chinese) and creates nothing when the document is
    invalid. Evidence metadata is not imported: the files are not in the JSON.
    """
    validate_document(doc)
    return create_from_document(doc, unit_id=preparer.unit_id, preparer=preparer,
                                template_key="")


def import_bytes(data: bytes, *, preparer: User) -> Evaluation:
    """`import_document` of a JSON file's bytes."""
    return import_document(parse_bytes(data), preparer=preparer)
