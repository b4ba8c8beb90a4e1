"""Shared fixtures: every storage test runs on SQLite and, when configured, on PostgreSQL.

``DOORSTEP_TEST_POSTGRES_URL`` names a PostgreSQL server (CI sets it); each test run creates its
own database there, migrates it with the real migrations and drops it at the end.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise

from harness.authenticator import SoftAuthenticator
from harness.passkeys import enrol
from harness.postgres import TEST_URL, throwaway_database_sync
from server.app import create_app
from server.clock import FixedClock
from server.context import RequestContext
from server.db import apply_migrations, close_orm, tortoise_config
from server.settings import Settings
from tests.support.context import SystemContext
from tests.support.database import reset_postgres
from tests.support.people import Person

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per run; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    asyncio.run(apply_migrations(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database made for this run, migrated, and dropped afterwards."""
    if not TEST_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (CI sets it)")
    with throwaway_database_sync(TEST_URL, "doorstep_test") as url:
        asyncio.run(apply_migrations(url))
        yield url


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
        await reset_postgres()
    try:
        yield backend
    finally:
        await close_orm()


@pytest.fixture
def clock() -> FixedClock:
    """A clock tests can move."""
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


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
