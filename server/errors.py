"""One tree of error types and the one handler that turns them into JSON.

Every error leaves the API as ``{"error": {"code", "message", "details"}}``. Nothing about the
server's insides (tracebacks, SQL, file paths) is ever put in a response.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

log = logging.getLogger("doorstep.errors")


class DoorstepError(Exception):
    """Base of every error the API reports on purpose."""

    status = 500
    code = "internal_error"
    message = "Something went wrong on the server."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.details: dict[str, Any] = dict(details or {})
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class BadRequest(DoorstepError):
    """The request cannot be understood (bad JSON, bad cursor)."""

    status = 400
    code = "bad_request"
    message = "The request could not be understood."


class Unauthorized(DoorstepError):
    """No valid session, or a sign-in that failed."""

    status = 401
    code = "unauthorized"
    message = "Sign in first."


class Forbidden(DoorstepError):
    """Signed in, but this action is not allowed for this person."""

    status = 403
    code = "forbidden"
    message = "You are not allowed to do that."


class NotFound(DoorstepError):
    """No such record, or not one the caller may know about."""

    status = 404
    code = "not_found"
    message = "Not found."


class MethodNotAllowed(DoorstepError):
    """The path exists but not with this method."""

    status = 405
    code = "method_not_allowed"
    message = "That method is not allowed here."


class RequestTimeout(DoorstepError):
    """The body did not arrive in time (an anonymous request has a deadline for it)."""

    status = 408
    code = "request_timeout"
    message = "The request body took too long to arrive."


class Conflict(DoorstepError):
    """The request clashes with the current state of a record."""

    status = 409
    code = "conflict"
    message = "That clashes with the record's current state."


class PayloadTooLarge(DoorstepError):
    """The body is larger than this endpoint accepts."""

    status = 413
    code = "payload_too_large"
    message = "The request body is too large."


class UnsupportedMediaType(DoorstepError):
    """The body is not in a format this endpoint reads."""

    status = 415
    code = "unsupported_media_type"
    message = "Send the body as application/json."


class ValidationFailed(DoorstepError):
    """The body or query was understood but holds values that are not allowed."""

    status = 422
    code = "validation_failed"
    message = "Some fields are not valid."

    @classmethod
    def from_fields(cls, fields: Sequence[Mapping[str, str]]) -> ValidationFailed:
        """Build the error from a list of ``{"field", "message", "type"}`` problems."""
        first = fields[0] if fields else {"field": "", "message": cls.message}
        summary = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        if len(fields) > 1:
            summary += f" (and {len(fields) - 1} more)"
        return cls(summary, details={"fields": [dict(f) for f in fields]})


class TooManyRequests(DoorstepError):
    """Too many attempts; try again after ``Retry-After`` seconds."""

    status = 429
    code = "too_many_requests"
    message = "Too many attempts. Wait and try again."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(
            message, details={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)}
        )


class ServiceUnavailable(DoorstepError):
    """The server is busy or a dependency is down; try again later."""

    status = 503
    code = "service_unavailable"
    message = "The service is busy. Try again shortly."


def _field_name(loc: Sequence[int | str]) -> str:
    """Turn a pydantic location into the dotted name clients use (``address.postcode``)."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif parts:
            parts.append(f".{part}")
        else:
            parts.append(str(part))
    return "".join(parts)


def validation_problems(
    exc: ValidationError, prefix: Sequence[int | str] = ()
) -> list[dict[str, str]]:
    """List a pydantic error's problems as ``{"field", "message", "type"}`` without input values.

    The offending input is never echoed back: it may be a victim's personal data.
    """
    problems = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = [*prefix, *(p for p in err["loc"] if p != "__root__")]
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append({"field": _field_name(loc), "message": message, "type": err["type"]})
    return problems


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def error_response(exc: DoorstepError) -> JSONResponse:
    """Render a ``DoorstepError`` as the API's JSON error."""
    headers = {"Cache-Control": "no-store", **exc.headers}
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), status_code=exc.status, headers=headers
    )


async def handle_doorstep_error(request: Request, exc: Exception) -> Response:
    """Exception handler for our own error tree."""
    assert isinstance(exc, DoorstepError)
    return error_response(exc)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    """A pydantic error that escaped a route is still the client's fault: 422."""
    assert isinstance(exc, ValidationError)
    return error_response(ValidationFailed.from_fields(validation_problems(exc)))


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 and friends, in our shape."""
    assert isinstance(exc, HTTPException)
    mapped: dict[int, type[DoorstepError]] = {
        400: BadRequest,
        401: Unauthorized,
        403: Forbidden,
        404: NotFound,
        405: MethodNotAllowed,
        413: PayloadTooLarge,
        415: UnsupportedMediaType,
    }
    error_type = mapped.get(exc.status_code)
    if error_type is None:
        error = DoorstepError(code="http_error", message="The request failed.")
        error.status = exc.status_code
    else:
        error = error_type()
    return error_response(error)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """Anything else: log it with the request id, answer a generic 500."""
    request_id = request.scope.get("state", {}).get("request_id", "")
    log.exception("unhandled error", extra={"request_id": request_id})
    return error_response(DoorstepError(details={"request_id": request_id}))


async def handle_client_disconnect(request: Request, exc: Exception) -> Response:
    """The phone hung up mid-request (signal lost): nothing to answer, and not a server error."""
    log.info(
        "client disconnected",
        extra={"request_id": request.scope.get("state", {}).get("request_id", "")},
    )
    return error_response(
        BadRequest("The connection closed before the request arrived.", code="client_disconnected")
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ClientDisconnect: handle_client_disconnect,
    DoorstepError: handle_doorstep_error,
    ValidationError: handle_validation_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
