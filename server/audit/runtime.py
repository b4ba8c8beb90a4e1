"""What a running server does for the audit log: its key, its role, its anchors.

Started from the app's lifespan in every worker, after the ORM is open:

1. register the audit keys from the settings (``write_audit`` takes none);
2. refuse to serve on PostgreSQL as a role that could rewrite the log (``server/db_roles.py``);
3. seal the chain if its newest rows are unkeyed or under a retired key (after an upgrade or a
   rotation), so verification is meaningful from the first minute;
4. anchor the chain head outside the database every ``DOORSTEP_AUDIT_ANCHOR_SECONDS``. Every
   worker does it; anchors of the same head share a name, so the extra work is a lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from tortoise import connections

from server.audit.anchors import anchor_periodically, anchor_store
from server.audit.keys import load_audit_keys, use_audit_keys
from server.audit.service import seal_chain
from server.clock import Clock
from server.db_roles import check_server_role
from server.settings import Settings


@contextlib.asynccontextmanager
async def audit_guard(settings: Settings, clock: Clock) -> AsyncIterator[None]:
    """Set up the audit log's protections for the server's lifetime."""
    keys = load_audit_keys(settings)
    use_audit_keys(keys)
    await check_server_role(connections.get("default"))
    await seal_chain(clock.now(), keys)
    task = None
    if settings.audit_anchor_seconds:
        store = anchor_store(settings)
        task = asyncio.create_task(
            anchor_periodically(store, settings.audit_anchor_seconds, clock, keys=keys)
        )
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
