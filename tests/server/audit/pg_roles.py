"""PostgreSQL roles for tests that run the real server on PostgreSQL.

The server refuses to serve as a role that could rewrite the audit log (a superuser, as the
test databases' ``postgres`` is, or a table owner). ``restricted_role`` makes a throwaway
login role and lets the real ``doorstep migrate`` grant it the server's privileges on a test
database; the role is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from harness.postgres import TEST_URL as POSTGRES_URL
from harness.postgres import asyncpg_dsn
from harness.postgres import with_user as _with_user

ROOT = Path(__file__).resolve().parents[3]


def with_user(url: str, user: str, database: str | None = None) -> str:
    """The same server URL connecting as ``user`` (to ``database`` if given)."""
    url = _with_user(url, user)
    return urlunsplit(urlsplit(url)._replace(path="/" + database)) if database else url


def admin(*statements: str, url: str = "") -> None:
    """Run statements as the test server's superuser (on ``url``'s database if given)."""

    async def run() -> None:
        conn = await asyncpg.connect(asyncpg_dsn(url or POSTGRES_URL))
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


def doorstep_env(app_url: str, owner_url: str, key: str) -> dict[str, str]:
    """The process environment of a deployment with two roles (no inherited DOORSTEP_*)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DOORSTEP_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(
        DOORSTEP_DATABASE_URL=app_url,
        DOORSTEP_MIGRATE_DATABASE_URL=owner_url,
        DOORSTEP_AUDIT_KEY=key,
        DOORSTEP_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


@contextmanager
def restricted_role(owner_url: str, key: str) -> Iterator[str]:
    """A new role with only the server's privileges on ``owner_url``'s database: its URL."""
    role = f"doorstep_app_{secrets.token_hex(4)}"
    admin(f'CREATE ROLE "{role}" LOGIN')
    try:
        app_url = with_user(owner_url, role)
        migrated = subprocess.run(
            [sys.executable, "-m", "server.cli", "migrate"],
            env=doorstep_env(app_url, owner_url, key),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert migrated.returncode == 0, migrated.stderr
        yield app_url
    finally:
        admin(f'DROP OWNED BY "{role}"', url=owner_url)
        admin(f'DROP ROLE "{role}"')
