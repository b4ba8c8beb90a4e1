"""The ORM around one command of the ``doorstep`` command line (shared by its modules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tortoise import Tortoise

from server.db import close_orm, ensure_sqlite_directory, tortoise_config
from server.settings import Settings, SettingsError


async def with_orm(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` with the ORM open on the settings' database (and the audit key in use)."""
    from server.audit.keys import load_audit_keys, use_audit_keys

    try:
        use_audit_keys(load_audit_keys(settings))  # audit rows written here are keyed too
    except SettingsError:
        # No key (PostgreSQL): fine for commands that write no audit row; write_audit raises
        # the same configuration error in those that do.
        use_audit_keys(None)
    ensure_sqlite_directory(settings.database_url)
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        return await work()
    finally:
        await close_orm()
