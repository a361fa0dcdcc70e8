"""The OpenAPI 3.1 description of the API, served at GET /api/v1/openapi.json.

The evaluation document's schema is docs/evaluation-schema.json itself, its `$defs` moved
under `components/schemas`, so the API and the file import are described by one schema.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from flask import jsonify

from workflow_app.exchange.json_io import json_schema


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: ("#/components/schemas/" + v.rsplit("/", 1)[-1]
                if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                else _rewrite_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_ID = {"name": "evaluation_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_COMMON = {"401": _error("未认证"), "404": _error("评价不存在或无权查看")}


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document (a dict; cached, callers must not change it)."""
    doc_schema = copy.deepcopy(json_schema())
    defs = doc_schema.pop("$defs")
    for key in ("$schema", "$id"):
        doc_schema.pop(key, None)
    schemas: dict[str, Any] = {name: _rewrite_refs(value) for name, value in defs.items()}
    schemas["EvaluationDocument"] = _rewrite_refs(doc_schema)
    schemas["Error"] = {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["stale_version"]},
                "message": {"type": "string", "description": "中文错误说明"},
                "details": {"type": "array", "items": {"type": "string"}},
            }}},
    }
    schemas["EvaluationSummary"] = {
        "type": "object",
        "required": ["id", "title", "state", "revision", "version"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"},
            "project_name": {"type": "string"}, "kind": {"enum": ["project", "unit_whole"]},
            "fiscal_year": {"type": "integer"},
            "unit": {"type": "object", "properties": {"id": {"type": "integer"},
                                                      "name": {"type": "string"}}},
            "state": {"enum": ["draft", "team_review", "leader_signoff", "finance_acceptance",
                               "accepted", "published"]},
            "state_label": {"type": "string"},
            "revision": {"type": "integer", "description": "当前修订号（退回后加一）"},
            "version": {"type": "integer",
                        "description": "乐观锁版本号：修改时原样提交"
                                       "（请求体 version 或 If-Match）"},
            "updated_at": {"type": ["string", "null"], "format": "date-time"},
            "url": {"type": "string"},
        },
    }
    indicator = {
        "type": "object",
        "required": ["code", "name", "weight", "score", "computed_score", "flagged"],
        "properties": {
            "code": {"type": "string"}, "name": {"type": "string"},
            "weight": {"$ref": "#/components/schemas/decimal"},
            "score": {"type": ["string", "null"], "description": "填报得分（评价工作组）"},
            "computed_score": {
                "type": ["string", "null"],
                "description": "按评分规则计算的得分；末级指标仅在 computed_status 为 computed"
                               " 时有值（无法计算时为 null，绝不记 0）"},
            "computed_status": {"enum": ["computed", "needs_judgement", "not_applicable"],
                                "description": "末级指标的计算状态：已计算 / 需人工判断 / 不适用"},
            "computed_status_reason": {"type": "string",
                                       "description": "需人工判断的原因（中文），其余为空"},
            "inferred_rule": {"type": "string",
                              "description": "未设置评分规则时按年度指标值推断的规则名称，"
                                             "如“按≥目标值比例计分”“按期限判断”"},
            "tier": {"type": ["string", "null"],
                     "description": "定性指标的档次：达成 / 部分达成 / 未达成"},
            "engine_flags": {"type": "array", "description": "评分引擎发现的问题（供审查使用）",
                             "items": {"type": "object", "required": ["code", "severity",
                                                                      "message"],
                                       "properties": {
                                           "code": {"type": "string"},
                                           "severity": {"enum": ["error", "warning", "info"]},
                                           "message": {"type": "string"}}}},
            "flagged": {"type": "boolean", "description": "填报得分与规则计算得分不一致"},
            "explanation": {"type": "string"}, "target": {"type": "string"},
            "actual": {"type": "string"}, "not_applicable": {"type": "boolean"},
            "rule": {"type": "object"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}},
        },
    }
    schemas["Indicator"] = indicator
    schemas["Finding"] = {
        "type": "object", "required": ["code", "severity", "message", "where"],
        "properties": {
            "code": {"type": "string", "description": "检查项代码，如 indicator_count_mismatch",
                     "examples": ["total_score_claim_mismatch"]},
            "severity": {"enum": ["error", "warning", "info"],
                         "description": "error 阻止提交；warning、info 仅提示"},
            "message": {"type": "string", "description": "中文说明（引用原文与表中数字）"},
            "where": {"type": "object", "required": ["part", "path"], "properties": {
                "part": {"enum": ["header", "funding", "expenses", "sub_projects",
                                  "indicators", "sections", "goals", "conclusion", "team",
                                  "grade_scheme"],
                         "description": "评价文件中的部分"},
                "path": {"type": "string",
                         "description": "该部分内的位置：指标编码（2.1.4）、章节 key、"
                                        "第几行（从 1 起）或字段名"}}},
        },
    }
    schemas["Evaluation"] = {
        "allOf": [{"$ref": "#/components/schemas/EvaluationSummary"}, {
            "type": "object",
            "required": ["total_score", "computed_total_score", "grade", "indicators",
                         "findings", "team", "content_hash", "signatures"],
            "properties": {
                "total_weight": {"type": "string"},
                "total_score": {"type": "string", "description": "填报总分（评价工作组）"},
                "computed_total_score": {"type": "string",
                                         "description": "按规则计算的总分（只含已计算的指标）"},
                "computed_open_count": {"type": "integer",
                                        "description": "需人工判断、未计入计算总分的末级指标数"},
                "computed_summary": {"type": "string",
                                     "description": "如“系统计算 84，另有 3 项需人工判断”"},
                "computed_open": {"type": "array", "description": "需人工判断的末级指标及原因",
                                  "items": {"type": "object",
                                            "properties": {"code": {"type": "string"},
                                                           "name": {"type": "string"},
                                                           "reason": {"type": "string"}}}},
                "grade": {"type": "string"}, "computed_grade": {"type": "string"},
                "grade_scheme": {"$ref": "#/components/schemas/grade_scheme"},
                "flagged": {"type": "array", "items": {"type": "string"}},
                "problems": {"type": "array", "items": {"type": "object"}},
                "findings": {"type": "array",
                             "description": "一致性审查（审查）发现的问题；error 阻止提交",
                             "items": {"$ref": "#/components/schemas/Finding"}},
                "indicators": {"type": "array",
                               "items": {"$ref": "#/components/schemas/Indicator"}},
                "team": {"type": "array", "items": {
                    "type": "object", "required": ["username", "name", "role"],
                    "properties": {"username": {"type": "string"}, "name": {"type": "string"},
                                   "role": {"enum": ["leader", "deputy", "member"]},
                                   "unit": {"type": "string"}, "position": {"type": "string"},
                                   "title": {"type": "string"}}}},
                "content_hash": {"type": "string", "description": "当前修订内容的 SHA-256"},
                "signatures": {"type": "array", "items": {
                    "type": "object",
                    "required": ["username", "revision", "content_hash", "signed_at"],
                    "properties": {"username": {"type": "string"},
                                   "revision": {"type": "integer"},
                                   "content_hash": {"type": "string"},
                                   "signed_at": {"type": "string", "format": "date-time"}}}},
                "links": {"type": "object"},
            }}],
    }
    schemas["EvaluationPage"] = {
        "type": "object", "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/EvaluationSummary"}},
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "per_page": {"type": "integer", "maximum": 100}, "pages": {"type": "integer"},
        },
    }
    schemas["UpdateRequest"] = {
        "type": "object", "additionalProperties": False, "required": ["version", "document"],
        "properties": {"version": {"type": "integer"},
                       "document": {"$ref": "#/components/schemas/EvaluationDocument"}},
    }

    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "预算绩效自评系统 API",
            "version": "1",
            "description": (
                "绩效自评的内容接口。认证：浏览器登录会话（修改类请求须带 X-CSRFToken 头），"
                "或 `flask --app workflow_app users token USERNAME` 签发的 Bearer 令牌。"
                "金额、分值、得分一律为数字文本。"
                "错误为 {\"error\": {\"code\", \"message\"}}，message 为中文。"
                "详见 docs/api.md。"),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/openapi.json": {"get": {
                "summary": "本接口说明（OpenAPI）", "operationId": "openapi", "security": [],
                "responses": {"200": {"description": "OpenAPI 文档"}}}},
            "/me": {"get": {
                "summary": "当前用户；会话认证时附 CSRF 令牌", "operationId": "me",
                "responses": {"200": {"description": "当前用户"}, "401": _error("未认证")}}},
            "/evaluations": {
                "get": {
                    "summary": "可见的评价列表（分页）", "operationId": "listEvaluations",
                    "parameters": [
                        {"name": "page", "in": "query", "schema": {"type": "integer",
                                                                   "minimum": 1}},
                        {"name": "per_page", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                    "default": 20}},
                    ],
                    "responses": {"200": _json("EvaluationPage", "一页评价"),
                                  "400": _error("参数错误"), "401": _error("未认证")},
                },
                "post": {
                    "summary": "以交换格式 JSON 新建评价草稿（调用者单位，调用者为填报人）",
                    "operationId": "createEvaluation",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/EvaluationDocument"}}}},
                    "responses": {"201": _json("Evaluation", "已创建"),
                                  "400": _error("JSON 或内容有误"), "401": _error("未认证"),
                                  "403": _error("不是填报人")},
                },
            },
            "/evaluations/{evaluation_id}": {
                "parameters": [_ID],
                "get": {"summary": "读取一个评价（得分、等级、指标、工作组、签名）",
                        "operationId": "getEvaluation",
                        "responses": {"200": _json("Evaluation", "评价"), **_COMMON}},
                "put": {
                    "summary": "替换草稿内容（须提供版本号；版本过期返回 409）",
                    "operationId": "updateEvaluation",
                    "parameters": [{"name": "If-Match", "in": "header", "required": False,
                                    "schema": {"type": "string"},
                                    "description": "读取时的 version（或 ETag）；"
                                                   "请求体为裸文档时必填"}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"oneOf": [
                            {"$ref": "#/components/schemas/UpdateRequest"},
                            {"$ref": "#/components/schemas/EvaluationDocument"}]}}}},
                    "responses": {"200": _json("Evaluation", "已更新"),
                                  "400": _error("JSON 或内容有误、缺少版本号"),
                                  "403": _error("无权修改"), "409": _error("版本过期或不是草稿"),
                                  **_COMMON},
                },
            },
            "/evaluations/{evaluation_id}/document": {
                "parameters": [_ID],
                "get": {"summary": "导出交换格式 JSON", "operationId": "getDocument",
                        "responses": {"200": _json("EvaluationDocument", "评价内容文档"),
                                      **_COMMON}},
            },
            "/evaluations/{evaluation_id}/report.pdf": {
                "parameters": [_ID],
                "get": {"summary": "报告 PDF（由报告模块提供：已公开的为存档原件，否则为当前稿）",
                        "operationId": "getReportPdf",
                        "responses": {"200": {"description": "PDF",
                                              "content": {"application/pdf": {}}},
                                      **_COMMON}},
            },
            "/evaluations/{evaluation_id}/transitions/{trigger}": {
                "parameters": [_ID, {"name": "trigger", "in": "path", "required": True,
                                     "schema": {"type": "string"},
                                     "description": "submit、sign、approve、return、accept、"
                                                    "publish 等（见工作流）"}],
                "post": {
                    "summary": "执行工作流操作（提交、签字、审定、退回、验收、公开……）",
                    "operationId": "fireTransition",
                    "requestBody": {"required": False, "content": {"application/json": {
                        "schema": {"type": "object", "additionalProperties": False,
                                   "properties": {"reason": {"type": "string"},
                                                  "comment": {"type": "string"}}}}}},
                    "parameters": [{
                        "name": "Prefer", "in": "header", "required": False,
                        "schema": {"type": "string"},
                        "description": "return=minimal（RFC 7240）：只返回新状态的列表形式"
                                       "（EvaluationSummary，不计分、不审查），响应带 "
                                       "Preference-Applied: return=minimal"}],
                    "responses": {"200": {
                        "description": "新状态：评价全文（Evaluation），或按 Prefer: "
                                       "return=minimal 返回 EvaluationSummary",
                        "content": {"application/json": {"schema": {"anyOf": [
                            {"$ref": "#/components/schemas/Evaluation"},
                            {"$ref": "#/components/schemas/EvaluationSummary"}]}}}},
                                  "400": _error("请求体有误"),
                                  "403": _error("当前角色不能执行该操作"),
                                  "409": _error("当前状态不允许该操作"),
                                  "422": _error("操作条件不满足"), **_COMMON},
                },
            },
            "/directory/import": {
                "post": {
                    "summary": "批量导入单位与用户（Excel 模板见 /admin/import/template.xlsx；"
                               "默认仅检查，dry_run=false 时导入有效行并返回新用户的初始密码）",
                    "operationId": "importDirectory",
                    "parameters": [{"name": "dry_run", "in": "query", "required": False,
                                    "schema": {"type": "string", "enum": ["true", "false"]}}],
                    "requestBody": {"required": True, "content": {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}},
                        "multipart/form-data": {"schema": {
                            "type": "object", "properties": {
                                "file": {"type": "string", "format": "binary"}}}}}},
                    "responses": {"200": {"description": "逐行检查或导入的结果",
                                          "content": {"application/json": {"schema": {
                                              "type": "object"}}}},
                                  "400": _error("参数有误"), "401": _error("未认证"),
                                  "403": _error("不是系统管理员"),
                                  "422": _error("文件无法读取或超出限制")},
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "flask --app workflow_app users token USERNAME"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "浏览器登录会话；POST/PUT 须带 X-CSRFToken 头"},
            },
            "schemas": schemas,
        },
    }
    # Every operation is under the API's rate limit (RATELIMIT_API): 429 with a JSON error.
    for item in document["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                operation["responses"].setdefault("429", _error("请求过于频繁，请稍后再试"))
    return document


def openapi_view():
    """GET /api/v1/openapi.json."""
    return jsonify(openapi_document())
