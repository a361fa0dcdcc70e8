"""JSON errors of the API: {"error": {"code": ..., "message": ...}} with a Chinese message."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException

_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "unprocessable", 500: "internal_error",
}
_MESSAGES = {
    400: "请求格式不正确。",
    401: "请先登录，或在 Authorization 头中提供有效的访问令牌（Bearer token）。",
    403: "您无权执行该操作。",
    404: "资源不存在，或者您无权查看。",
    405: "该地址不支持此请求方法。",
    409: "当前状态不允许该操作。",
    413: "请求体过大。",
    415: "请求体须为 JSON（Content-Type: application/json）。",
    422: "请求无法处理。",
    500: "系统内部错误，操作未保存。",
}


class ApiError(Exception):
    """Raised by API handlers; rendered as a JSON error with this status and message."""

    def __init__(self, status: int, message: str | None = None, *, code: str | None = None,
                 details: list[str] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message or _MESSAGES.get(status, "请求失败。"))
        self.status = status
        self.message = message or _MESSAGES.get(status, "请求失败。")
        self.code = code or _CODES.get(status, "error")
        self.details = details or []
        self.headers = headers or {}


def error_response(status: int, message: str | None = None, *, code: str | None = None,
                   details: list[str] | None = None, headers: dict[str, str] | None = None):
    """A Flask response carrying the JSON error body."""
    body: dict[str, Any] = {
        "code": code or _CODES.get(status, "error"),
        "message": message or _MESSAGES.get(status, "请求失败。"),
    }
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handlers(bp: Blueprint) -> None:
    """Render ApiError and HTTP errors raised inside the API as JSON."""

    @bp.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, code=exc.code, details=exc.details,
                              headers=exc.headers)

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        return error_response(status, _MESSAGES.get(status))
