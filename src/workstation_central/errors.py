"""API errors: one exception type carrying the stable code, the Chinese message and details."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message", "details"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def bad_request(message: str = "请求格式错误") -> ApiError:
    return ApiError(400, "bad_request", message)


def not_found(message: str = "未找到请求的资源") -> ApiError:
    return ApiError(404, "not_found", message)


def forbidden(message: str = "无权访问该资源（不属于本辖区）") -> ApiError:
    return ApiError(403, "forbidden", message)


def invalid_token(message: str = "登录凭证无效，请重新登录") -> ApiError:
    return ApiError(401, "invalid_token", message)


def too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"请求内容过大（上限 {limit} 字节）", {"limit": limit})


def validation_error(message: str, errors: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(422, "validation_error", message, {"errors": errors or []})


#: Responses every route may give, for the OpenAPI document.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "bad_request / invalid_cursor"},
    422: {"model": ErrorBody, "description": "validation_error"},
    426: {"model": ErrorBody, "description": "upgrade_required"},
}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    **COMMON_RESPONSES,
    401: {"model": ErrorBody, "description": "invalid_token / token_expired"},
    403: {"model": ErrorBody, "description": "forbidden"},
    404: {"model": ErrorBody, "description": "not_found"},
}
