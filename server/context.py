"""The request context: who is calling, under which settings, at what time, in which request.

The endpoint guard in ``server/api.py`` builds one per request and hands it to the handler,
which passes it to services as the keyword argument ``ctx``. Services never reach into the
ASGI scope or ``app.state`` for these facts, and every audit entry is built from the context
by ``ctx.audit(...)``, so "who, from which device, in which request" is written one way.

Work that does not come from a request (the ``doorstep`` command, background jobs) uses
``RequestContext.system(...)``: no principal, an explicit actor if there is one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from server.audit.models import AuditAction
from server.audit.service import AuditEntry, write_audit
from server.auth.principal import IntegrationCaller, Principal
from server.errors import Unauthorized

if TYPE_CHECKING:
    from tortoise.backends.base.client import BaseDBAsyncClient

    from server.settings import Settings

_FROM_CALLER = object()


@dataclass(frozen=True)
class RequestContext:
    """Everything a service needs to know about the request it serves, built once."""

    settings: Settings
    now: datetime
    request_id: str = ""
    # None on public endpoints (the sign-in ceremonies) and for system work.
    principal: Principal | None = None
    # The caller's network address, for per-address rate limits ("" when unknown).
    client_address: str = ""
    # The acting account when there is no principal (an administrator at the command line,
    # or an integration: then its id, so audit entries name it as the actor).
    actor_id: uuid.UUID | None = None
    # The integration calling an integration-only endpoint (intake), else None.
    integration: IntegrationCaller | None = None

    @classmethod
    def system(
        cls, settings: Settings, now: datetime, *, actor_id: uuid.UUID | None = None
    ) -> RequestContext:
        """A context for work that no HTTP request asked for (commands, background jobs)."""
        return cls(settings=settings, now=now, actor_id=actor_id)

    @property
    def caller(self) -> Principal:
        """The signed-in principal (401 if this request has none)."""
        if self.principal is None:
            raise Unauthorized()
        return self.principal

    def audit(
        self,
        action: AuditAction,
        *,
        record_type: str = "",
        record_id: object = "",
        reason: str = "",
        recipient: str = "",
        actor_id: uuid.UUID | object | None = _FROM_CALLER,
        device_id: uuid.UUID | object | None = _FROM_CALLER,
    ) -> AuditEntry:
        """One audit entry by this caller, in this request.

        ``actor_id`` and ``device_id`` default to the principal's; the sign-in ceremonies,
        which run before there is a principal, name the device and officer they are about.
        """
        principal = self.principal
        if actor_id is _FROM_CALLER:
            actor_id = principal.officer_id if principal else self.actor_id
        if device_id is _FROM_CALLER:
            device_id = principal.device_id if principal else None
        assert actor_id is None or isinstance(actor_id, uuid.UUID)
        assert device_id is None or isinstance(device_id, uuid.UUID)
        return AuditEntry(
            action=action,
            actor_id=actor_id,
            device_id=device_id,
            record_type=record_type,
            record_id=str(record_id),
            reason=reason,
            recipient=recipient,
            request_id=self.request_id,
        )

    async def write_audit(
        self, entries: Iterable[AuditEntry], connection: BaseDBAsyncClient | None = None
    ) -> int:
        """Append entries to the audit log at this request's time (inside ``connection``)."""
        return await write_audit(entries, self.now, connection)
