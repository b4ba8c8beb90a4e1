"""Shared fixtures: every storage test runs on SQLite and, when configured, on PostgreSQL.

``DOORSTEP_TEST_POSTGRES_URL`` names a PostgreSQL server (CI sets it); each test run creates its
own database there, migrates it with the real migrations and drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise, connections

from server.app import create_app
from server.clock import FixedClock
from server.context import RequestContext
from server.db import apply_migrations, close_orm, tortoise_config
from server.org.models import Officer
from server.settings import Settings
from tests.support.authenticator import SoftAuthenticator

POSTGRES_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"]
MIGRATIONS_TABLE = "tortoise_migrations"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per run; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    asyncio.run(apply_migrations(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database made for this run, migrated, and dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (CI sets it)")
    name = f"doorstep_test_{os.getpid()}_{secrets.token_hex(4)}"

    async def create() -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(create())
    url = _with_database(POSTGRES_URL, name)
    try:
        asyncio.run(apply_migrations(url))
        yield url
    finally:
        asyncio.run(drop())


async def _reset_postgres() -> None:
    """Empty every table but the migration record, and reset the change counter."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> $1",
        [MIGRATIONS_TABLE],
    )
    tables = ", ".join(f'"{r["tablename"]}"' for r in rows)
    await conn.execute_script(
        "SET session_replication_role = replica;"
        f"TRUNCATE {tables} RESTART IDENTITY CASCADE;"
        "SET session_replication_role = origin;"
        "INSERT INTO change_counter (id, value) VALUES (1, 0);"
        "INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, '');"
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend this test runs on."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if backend == "postgres":
        return str(request.getfixturevalue("postgres_database"))
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "doorstep.sqlite3"
    shutil.copy(template, path)
    return f"sqlite://{path}"


@pytest.fixture
async def db(backend: str, database_url: str) -> AsyncIterator[str]:
    """The ORM opened on this test's database (closed, and PostgreSQL emptied, afterwards)."""
    await Tortoise.init(config=tortoise_config(database_url))
    if backend == "postgres":
        await _reset_postgres()
    try:
        yield backend
    finally:
        await close_orm()


@pytest.fixture
def clock() -> FixedClock:
    """A clock tests can move."""
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


SystemContext = Callable[[], RequestContext]


@pytest.fixture
def system_ctx(settings: Settings, clock: FixedClock) -> SystemContext:
    """A request context for work no request asked for, at the test clock's time."""
    return lambda: RequestContext.system(settings, clock.now())


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a test app on this test's database."""
    return Settings(database_url=database_url, photo_dir=tmp_path / "photos")


@pytest.fixture
def app(db: str, settings: Settings, clock: FixedClock) -> Starlette:
    """The real app; the ORM is opened by the ``db`` fixture (ASGITransport skips lifespan)."""
    return create_app(settings, clock=clock, manage_orm=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        yield c


# --- people and sessions -----------------------------------------------------------------


@dataclass
class Person:
    """A test account with its own browser (HTTP client with a cookie jar) and passkey."""

    officer: Officer
    client: httpx.AsyncClient
    authenticator: SoftAuthenticator
    device_id: str = ""


@pytest.fixture
async def make_client(app: Starlette) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """A factory of separate browsers (cookie jars) on the same app, closed afterwards."""
    made: list[httpx.AsyncClient] = []

    def factory() -> httpx.AsyncClient:
        c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://localhost:8000",
            headers={"Origin": "http://localhost:8000"},
        )
        made.append(c)
        return c

    yield factory
    for c in made:
        await c.aclose()


@pytest.fixture
def enrolled(
    db: str, settings: Settings, clock: FixedClock, make_client: Callable[[], httpx.AsyncClient]
) -> Callable[..., Awaitable[Person]]:
    """Create an account, issue a code, enrol a passkey through the real endpoints: signed in."""
    from server.auth.service import issue_enrolment_code
    from server.context import RequestContext
    from server.org.models import Role
    from server.org.service import create_officer
    from tests.support.passkeys import enrol

    counter = iter(range(1000, 10_000))

    async def make(
        role: str = "officer",
        team: str = "Worcester Response A",
        area: str = "South Worcestershire",
        scope: str = "team",
    ) -> Person:
        from server.org.models import SupervisionScope

        collar = str(next(counter))
        officer = await create_officer(
            collar_number=collar,
            display_name=f"Test {role} {collar}",
            role=Role(role),
            team_name=team,
            area_name=area,
            supervision_scope=SupervisionScope(scope),
        )
        code, _ = await issue_enrolment_code(
            collar, ctx=RequestContext.system(settings, clock.now())
        )
        person = Person(officer, make_client(), SoftAuthenticator())
        response = await enrol(person.client, person.authenticator, collar, code)
        assert response.status_code == 200, response.text
        person.device_id = response.json()["device"]["id"]
        return person

    return make


@pytest.fixture
async def officer_client(enrolled: Callable[..., Awaitable[Person]]) -> httpx.AsyncClient:
    """A signed-in officer's browser."""
    return (await enrolled()).client
