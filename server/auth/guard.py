"""The guard every non-public endpoint passes: a live session on a device that is not revoked.

It also writes down every refusal (SECURITY.md item 32): a role that may not use a route
(403) and a record outside the caller's scope (404, raised as ``OutOfScope``), each as one
``denied`` audit row naming what was asked for. The answer itself is unchanged: an
out-of-scope record gets exactly the 404 of an id that exists nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.requests import Request

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.principal import Principal
from server.auth.sessions import check_session, cookie_name
from server.errors import Forbidden, NotFound, Unauthorized
from server.org.models import Role

if TYPE_CHECKING:
    from server.context import RequestContext

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


class DeviceRevoked(Unauthorized):
    """This device was revoked: the app must wipe itself."""

    code = "device_revoked"
    message = "This device has been revoked. Its local data is being removed."

    def __init__(self) -> None:
        super().__init__(headers={"Clear-Site-Data": CLEAR_SITE_DATA})


async def authenticate(request: Request) -> Principal:
    """Resolve the session cookie to a principal, or refuse with 401."""
    settings = request.app.state.settings
    now = request.app.state.clock.now()
    state = await check_session(request.cookies.get(cookie_name(settings)), settings, now)
    if state.reason == "device_revoked":
        raise DeviceRevoked()
    if state.reason in {"expired", "idle"}:
        raise Unauthorized("Your session has ended. Sign in again.", code="session_expired")
    if state.reason != "ok" or state.session is None:
        raise Unauthorized()
    session = state.session
    principal = Principal(
        officer_id=session.officer_id,
        collar_number=session.collar_number,
        display_name=session.display_name,
        role=session.role,
        team_id=session.team_id,
        area_id=session.area_id,
        supervision_scope=session.supervision_scope,
        device_id=session.device_id,
        session_key=session.token_hash,
    )
    return principal


class OutOfScope(NotFound):
    """A record that exists but is not the caller's to see or change: a plain 404 to them.

    Raised where scope is checked (visits, photos, uploads, reports, sync clients, notices)
    instead of ``NotFound``, with the same message, code and headers, so the caller learns
    nothing more; ``guarded`` in ``server/api.py`` catches it on its way out, writes the
    ``denied`` row, and re-raises it.
    Checks that have no request context to hand (``scoped_visit``, ``writable_photo``) need
    none: the guard that built the context writes the row.
    """

    def __init__(
        self,
        record_type: str,
        record_id: object,
        message: str | None = None,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        reason: str = "out of scope",
    ) -> None:
        super().__init__(message, code=code, headers=headers)
        self.record_type = record_type
        self.record_id = str(record_id)
        self.reason = reason


def denial(ctx: RequestContext, record_type: str, record_id: object, reason: str) -> AuditEntry:
    """The one shape of a ``denied`` audit row: who asked for which record, and why not."""
    return ctx.audit(
        AuditAction.DENIED, record_type=record_type, record_id=record_id, reason=reason[:500]
    )


async def audit_out_of_scope(ctx: RequestContext, refusal: OutOfScope) -> None:
    """Write the ``denied`` row of an out-of-scope refusal (its own transaction: the refused
    work, if any, has rolled back, but the attempt is kept)."""
    await ctx.write_audit([denial(ctx, refusal.record_type, refusal.record_id, refusal.reason)])


async def require_role(request: Request, ctx: RequestContext, roles: frozenset[Role]) -> None:
    """Refuse (403, audited as a denial) a caller whose role may not use this endpoint."""
    if ctx.caller.role in roles:
        return
    route = f"{request.method} {request.url.path}"[:64]
    await ctx.write_audit([denial(ctx, "route", route, "role may not use this route")])
    raise Forbidden()
