"""The PostgreSQL client: tortoise's asyncpg client, without the reset on every release.

asyncpg resets a connection each time it goes back to the pool (advisory unlock, CLOSE ALL,
UNLISTEN, RESET ALL: one round trip, twice per request - once for the session lookup and
once for the work). Doorstep keeps no session state on a connection: it takes no session-level
advisory locks (only ``pg_advisory_xact_lock``), declares no cursors, listens to nothing and
only ever sets transaction-scoped options (``tests/server/test_pgclient.py`` fences that), so
the release only rolls back a transaction left open, which asyncpg always does, and keeps the
connection's prepared statements.
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
from tortoise.backends.asyncpg.client import AsyncpgDBClient


class Connection(asyncpg.connection.Connection):  # type: ignore[misc]
    """An asyncpg connection whose release sends nothing (an open transaction is still
    rolled back by asyncpg)."""

    def get_reset_query(self) -> str:
        """Nothing to reset: no session state is ever set (see the module docstring)."""
        return ""


class Client(AsyncpgDBClient):
    """tortoise's asyncpg client with ``Connection``."""

    connection_class = Connection


client_class = Client
