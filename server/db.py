"""The database: tortoise-orm configuration, migrations and a readiness probe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as tortoise_migrate

from server.settings import Settings
from server.settings import backend_name as backend_name  # where it used to live

APP_LABEL = "doorstep"
MODEL_MODULES = [
    "server.org.models",
    "server.auth.models",
    "server.visits.models",
    "server.photos.models",
    "server.advice.models",
    "server.audit.models",
    "server.syncing.models",
    "server.feed.models",
    "server.aftercare.models",
    "server.reports.models",
    "server.retention.models",
]
MIGRATIONS_MODULE = "server.migrations"


def _with_sqlite_defaults(url: str) -> str:
    """Give SQLite a busy timeout so several processes wait for the writer instead of failing."""
    if not url.startswith("sqlite://") or "busy_timeout" in url:
        return url
    return url + ("&" if "?" in url else "?") + "busy_timeout=10000"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise-orm configuration for a database URL."""
    connection: str | dict[str, Any] = _with_sqlite_defaults(database_url)
    if backend_name(database_url) == "postgres":
        connection = expand_db_url(database_url)
        connection["engine"] = "server.pgclient"  # no session reset on release
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def ensure_sqlite_directory(database_url: str) -> None:
    """Create the folder an SQLite file lives in (the default is under ./var/)."""
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://").split("?")[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def apply_migrations(database_url: str, target: str | None = None) -> list[str]:
    """Apply the migrations not yet recorded in the database (and only those); name them."""
    ensure_sqlite_directory(database_url)
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    try:
        await tortoise_migrate(
            config=tortoise_config(database_url), target=target, progress=progress
        )
    finally:
        await close_orm()
    return applied


def sql(connection: BaseDBAsyncClient, statement: str) -> str:
    """Write ``$1, $2...`` placeholders in the connection's own style (SQLite uses ``?``)."""
    if connection.capabilities.dialect == "postgres":
        return statement
    return re.sub(r"\$\d+", "?", statement)


async def close_orm() -> None:
    """Close connections and forget the model registry, so the next init may use another backend."""
    await Tortoise.close_connections()
    await Tortoise._reset_apps()
    # Tortoise caches built INSERT statements by connection name, not dialect.
    EXECUTOR_CACHE.clear()


async def database_answers() -> bool:
    """True when the default connection runs a trivial query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # Any driver failure means "not ready"; the probe must not raise.
        return False
    return True


def __getattr__(name: str) -> Any:
    """``TORTOISE_ORM`` for tortoise's own CLI (``make migrations``), built on demand."""
    if name == "TORTOISE_ORM":
        return tortoise_config(Settings.from_env().database_url)
    raise AttributeError(name)
