"""Request-level sync refusals, as HTTP errors."""

from __future__ import annotations

from server.auth.guard import OutOfScope
from server.errors import DoorstepError
from sync import SyncError


class SyncRequestError(DoorstepError):
    """A request-level sync refusal (seq_gap, seq_reused, bad_cursor...) with its HTTP status."""

    def __init__(self, error: SyncError) -> None:
        super().__init__(error.message, code=error.code, details=error.details)
        self.status = error.http_status


def foreign_client(client_id: object) -> OutOfScope:
    """Another officer's sync client id: unknown to this caller (404), audited as denied."""
    return OutOfScope(
        "sync_clients",
        client_id,
        "Unknown client.",
        code="unknown_client",
        reason="another officer's sync client",
    )
