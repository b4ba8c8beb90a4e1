"""Typed sync errors: a stable code, a human message and JSON details."""

from __future__ import annotations

from collections.abc import Mapping

from .canonical import JSONValue

# Codes are part of the wire contract (clients switch on them), so they live in
# one table with the HTTP status the server uses when the error ends a request.
# Per-mutation rejections travel inside a 200 push response, so their status
# only matters when a function is used outside a push.
HTTP_STATUS: Mapping[str, int] = {
    "invalid_request": 422,
    "invalid_mutation": 422,
    "invalid_path": 422,
    "invalid_batch": 422,
    "invalid_limit": 422,
    "note_required": 422,
    "bad_cursor": 400,
    "seq_gap": 409,
    "seq_reused": 409,
    "bad_base_rev": 409,
    "deleted": 409,
    "invalid_transition": 409,
    "visit_locked": 409,
    "forbidden": 403,
    "not_found": 404,
    "payload_too_large": 413,
    "too_many_mutations": 413,
    "unsupported_encoding": 415,
    "invalid_state": 500,
}


class SyncError(Exception):
    """A sync rule was broken; `code` is stable, `details` is JSON-plain."""

    def __init__(
        self,
        code: str,
        message: str,
        details: Mapping[str, JSONValue] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details: dict[str, JSONValue] = dict(details or {})

    @property
    def http_status(self) -> int:
        """HTTP status the server answers with when this error ends a request."""
        return http_status(self.code)

    def to_json(self) -> dict[str, JSONValue]:
        """Return the wire shape {"code", "message", "details"}."""
        return {"code": self.code, "message": self.message, "details": self.details}

    def __repr__(self) -> str:
        return f"SyncError({self.code!r}, {self.message!r}, {self.details!r})"


def http_status(code: str) -> int:
    """Map an error code to its HTTP status (400 for codes not in the table)."""
    return HTTP_STATUS.get(code, 400)
