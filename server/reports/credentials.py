"""Integration credentials: the force's crime system may send reports, and do nothing else.

An administrator creates one with ``doorstep create-integration NAME``; its token (256 random
bits) is printed once and only its SHA-256 is kept, as for sessions. It is presented as
``Authorization: Bearer <token>`` to the integration-only endpoints (``Endpoint(auth=
"integration")``) and is never looked at anywhere else, so it can never read a record; a
session cookie never satisfies those endpoints. Revoking it (``doorstep revoke-integration``)
refuses its next call. Creation, revocation and every refused call are audited; failures are
rate-limited per address, as sign-ins are.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from datetime import timedelta

from server.audit.models import AuditAction
from server.auth.principal import IntegrationCaller
from server.auth.ratelimit import count_attempt
from server.context import RequestContext
from server.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from server.reports.models import Integration

log = logging.getLogger("doorstep.intake")

TOKEN_PREFIX = "dsi_"  # noqa: S105 - a marker, not a secret
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._\-]{0,59}$")
_FAILURES_PER_WINDOW = 30
_FAILURE_WINDOW_SECONDS = 300
# Only note a credential's use this often, so intake calls do not all write its row.
_TOUCH_EVERY = timedelta(seconds=60)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="doorstep-intake"'}


def token_hash(token: str) -> str:
    """What is stored for a token (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_integration(name: str, *, ctx: RequestContext) -> tuple[str, Integration]:
    """A new credential named ``name``: returns the token (shown once) and its row."""
    name = name.strip()
    if not _NAME.match(name):
        raise ValidationFailed.from_fields(
            [{"field": "name", "message": "1 to 60 letters, digits, spaces, . _ -", "type": "x"}]
        )
    if await Integration.filter(name=name).exists():
        raise Conflict(f"an integration named {name} already exists", code="integration_exists")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await Integration.create(
        id=uuid.uuid4(), name=name, token_hash=token_hash(token), created_at=ctx.now
    )
    await ctx.write_audit(
        [ctx.audit(AuditAction.COLLECT, record_type="integration", record_id=row.id, reason=name)]
    )
    return token, row


async def revoke_integration(name: str, *, ctx: RequestContext) -> Integration:
    """Revoke a credential: its next call is refused. Revoking twice changes nothing."""
    row = await Integration.get_or_none(name=name.strip())
    if row is None:
        raise NotFound(f"no integration named {name}", code="no_such_integration")
    if row.revoked_at is None:
        row.revoked_at = ctx.now
        await row.save(update_fields=["revoked_at"])
        await ctx.write_audit(
            [ctx.audit(AuditAction.REVOKE, record_type="integration", record_id=row.id)]
        )
    return row


async def list_integrations() -> list[Integration]:
    """Every credential ever created, by name (revoked ones too: they stay for the audit)."""
    return await Integration.all().order_by("name")


async def authenticate(authorization: str | None, *, ctx: RequestContext) -> IntegrationCaller:
    """The integration a bearer token belongs to, or 401 (audited, rate-limited per address)."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        await _refuse(ctx, None, "no integration credential")
        raise Unauthorized(
            "Send the integration's token as Authorization: Bearer <token>.",
            code="integration_credential_required",
            headers=_CHALLENGE,
        )
    row = await Integration.get_or_none(token_hash=token_hash(token))
    if row is None or row.revoked_at is not None:
        await _refuse(ctx, row, "revoked credential" if row else "unknown credential")
        raise Unauthorized(
            "This integration credential is not valid (unknown or revoked).",
            code="bad_integration_credential",
            headers=_CHALLENGE,
        )
    if row.last_used_at is None or ctx.now - row.last_used_at >= _TOUCH_EVERY:
        await Integration.filter(id=row.id).update(last_used_at=ctx.now)
    return IntegrationCaller(id=row.id, name=row.name)


async def _refuse(ctx: RequestContext, row: Integration | None, why: str) -> None:
    log.info("integration refused", extra={"reason": why, "request_id": ctx.request_id})
    await ctx.write_audit(
        [
            ctx.audit(
                AuditAction.DENIED,
                record_type="integration",
                record_id=row.id if row else "",
                reason=why,
                actor_id=row.id if row else None,
            )
        ]
    )
    await count_attempt(
        f"integration:{ctx.client_address}", _FAILURES_PER_WINDOW, _FAILURE_WINDOW_SECONDS, ctx.now
    )
