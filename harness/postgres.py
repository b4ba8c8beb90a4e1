"""Throwaway PostgreSQL databases: made on a server for one run, dropped whatever happens.

``DOORSTEP_TEST_POSTGRES_URL`` names the tests' server (CI sets it; unset, PostgreSQL tests
skip); benchmarks take ``--postgres-url``. URLs are written ``postgres://`` as tortoise wants
them; ``asyncpg_dsn`` gives asyncpg its ``postgresql://``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

TEST_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL", "")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants postgresql:// (tortoise writes postgres:// or asyncpg://)."""
    for prefix in ("postgres://", "asyncpg://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def tortoise_url(url: str) -> str:
    """tortoise-orm wants postgres:// (or asyncpg://)."""
    if url.startswith("postgresql://"):
        return "postgres://" + url[len("postgresql://") :]
    return url


def is_local(url: str) -> bool:
    """Whether the URL names a server on this machine."""
    return urlsplit(asyncpg_dsn(url)).hostname in LOCAL_HOSTS


async def admin(server_url: str, sql: str) -> None:
    """Run one statement on the server's own database (CREATE or DROP DATABASE)."""
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def database_name(prefix: str) -> str:
    """``<prefix>_<pid>_<random>``: no two runs on one server collide."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"


def create_sql(name: str) -> str:
    """CREATE DATABASE."""
    return f'CREATE DATABASE "{name}"'


def drop_sql(name: str) -> str:
    """DROP DATABASE ... WITH (FORCE): open connections do not keep it."""
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


@contextlib.asynccontextmanager
async def throwaway_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A new empty database on the server: its tortoise URL; dropped on the way out."""
    name = database_name(prefix)
    await admin(server_url, create_sql(name))
    try:
        yield tortoise_url(with_database(server_url, name))
    finally:
        await admin(server_url, drop_sql(name))


@contextlib.contextmanager
def throwaway_database_sync(server_url: str, prefix: str) -> Iterator[str]:
    """``throwaway_database`` for code outside an event loop (pytest session fixtures)."""
    name = database_name(prefix)
    asyncio.run(admin(server_url, create_sql(name)))
    try:
        yield tortoise_url(with_database(server_url, name))
    finally:
        asyncio.run(admin(server_url, drop_sql(name)))


def with_user(url: str, user: str) -> str:
    """The same server URL connecting as ``user``."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


@dataclass(frozen=True)
class Deployment:
    """A database as production runs it: tables owned by one role (``doorstep migrate``), the
    server connected as another that owns nothing and may only INSERT and SELECT the audit
    log, and the audit chain's key (the server refuses to serve on PostgreSQL otherwise)."""

    owner_url: str
    app_url: str
    audit_key: str

    def env(self) -> dict[str, str]:
        """The settings every ``doorstep`` process of this deployment shares."""
        return {
            "DOORSTEP_DATABASE_URL": self.app_url,
            "DOORSTEP_MIGRATE_DATABASE_URL": self.owner_url,
            "DOORSTEP_AUDIT_KEY": self.audit_key,
        }


def _role_of(owner_url: str) -> str:
    return f"{urlsplit(owner_url).path.lstrip('/')}_app"


@contextlib.asynccontextmanager
async def deployment(server_url: str, prefix: str) -> AsyncIterator[Deployment]:
    """A throwaway database with a restricted server role (not yet migrated: run
    ``doorstep migrate`` with ``Deployment.env()``, which grants the role its share)."""
    async with throwaway_database(server_url, prefix) as owner_url:
        role = _role_of(owner_url)
        await admin(server_url, f'CREATE ROLE "{role}" LOGIN')
        try:
            yield Deployment(owner_url, with_user(owner_url, role), secrets.token_hex(32))
        finally:
            # Its privileges go first (a role holding any cannot be dropped).
            await admin(owner_url, f'DROP OWNED BY "{role}"')
            await admin(server_url, f'DROP ROLE IF EXISTS "{role}"')


@contextlib.contextmanager
def deployment_sync(server_url: str, prefix: str) -> Iterator[Deployment]:
    """``deployment`` for code outside an event loop (pytest session fixtures)."""
    with throwaway_database_sync(server_url, prefix) as owner_url:
        role = _role_of(owner_url)
        asyncio.run(admin(server_url, f'CREATE ROLE "{role}" LOGIN'))
        try:
            yield Deployment(owner_url, with_user(owner_url, role), secrets.token_hex(32))
        finally:
            asyncio.run(admin(owner_url, f'DROP OWNED BY "{role}"'))
            asyncio.run(admin(server_url, f'DROP ROLE IF EXISTS "{role}"'))
