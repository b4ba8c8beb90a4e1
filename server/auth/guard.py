"""The guard every non-public endpoint passes: a live session on a device that is not revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from server.audit.models import AuditAction
from server.auth.principal import Principal
from server.auth.sessions import check_session, cookie_name
from server.errors import Forbidden, Unauthorized
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


async def require_role(request: Request, ctx: RequestContext, roles: frozenset[Role]) -> None:
    """Refuse (403, audited as a denial) a caller whose role may not use this endpoint."""
    if ctx.caller.role in roles:
        return
    route = f"{request.method} {request.url.path}"[:64]
    await ctx.write_audit([ctx.audit(AuditAction.DENIED, record_type="route", record_id=route)])
    raise Forbidden()
