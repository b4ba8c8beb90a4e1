"""Deployment fixtures: two workers behind Caddy on one PostgreSQL database (harness.stack).

``DOORSTEP_TEST_CADDYFILE`` may name another Caddyfile to run instead of the repository's (to try
a change to it before committing it); its local profile must still be ``http://localhost:8080``.

Everything is skipped, like every PostgreSQL test, when ``DOORSTEP_TEST_POSTGRES_URL`` is unset
(CI sets it). Processes are stopped and the database dropped whatever happens.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from harness.passkeys import sign_in_new_device
from harness.postgres import TEST_URL, Deployment, deployment_sync
from harness.processes import clean_env, doorstep
from harness.stack import CADDYFILE, SignIn, Stack

CADDYFILE_UNDER_TEST = Path(os.environ.get("DOORSTEP_TEST_CADDYFILE") or CADDYFILE)


@pytest.fixture(scope="session")
def deploy_database() -> Iterator[Deployment]:
    """A throwaway PostgreSQL database with the server's restricted role, migrated by
    ``doorstep migrate`` as the owner, dropped afterwards."""
    if not TEST_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (CI sets it)")
    if shutil.which("caddy") is None:
        pytest.fail("caddy is not installed: `make system-deps` installs it")
    with deployment_sync(TEST_URL, "doorstep_deploy") as database:
        doorstep("migrate", env=clean_env(**database.env()))
        yield database


@pytest.fixture
def stack(deploy_database: Deployment, tmp_path: Path) -> Iterator[Stack]:
    """Two workers behind Caddy, fresh for this test (the database is shared by the run)."""
    with Stack(deploy_database, tmp_path, caddyfile=CADDYFILE_UNDER_TEST) as running:
        yield running


@pytest.fixture(scope="module")
def shared_stack(
    deploy_database: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Two workers behind Caddy for tests that stop nothing."""
    workdir = tmp_path_factory.mktemp("stack")
    with Stack(deploy_database, workdir, caddyfile=CADDYFILE_UNDER_TEST) as running:
        yield running


@pytest.fixture
def busy_stack(deploy_database: Deployment, tmp_path: Path) -> Iterator[Stack]:
    """Two workers that shed load beyond two requests in flight each."""
    with Stack(
        deploy_database, tmp_path, caddyfile=CADDYFILE_UNDER_TEST, DOORSTEP_MAX_IN_FLIGHT="2"
    ) as running:
        yield running


@pytest.fixture
async def sign_in() -> AsyncIterator[SignIn]:
    """Create an officer and enrol a passkey through Caddy: a signed-in browser (closed after)."""
    made: list[httpx.AsyncClient] = []

    async def make(stack: Stack) -> httpx.AsyncClient:
        collar, code = await asyncio.to_thread(stack.new_officer)
        client = stack.browser()
        made.append(client)
        await sign_in_new_device(client, collar, code, origin=stack.origin, label="Deploy phone")
        return client

    yield make
    for client in made:
        await client.aclose()
