"""Issue 14 item 8: an install done the documented way (``doorstep migrate``, then serve) offers
the default advice catalogue; ``seed-demo`` is not needed for it, and still works after."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import Tortoise

from harness.authenticator import SoftAuthenticator
from harness.passkeys import ORIGIN, enrol
from harness.postgres import TEST_URL, deployment_sync
from server.advice.catalogue import DEFAULT_ADVICE
from server.advice.models import AdviceItem
from server.app import create_app
from server.db import close_orm, tortoise_config
from server.settings import Settings
from tests.server.test_cli import run


@dataclass(frozen=True)
class Install:
    """A database nobody has migrated, and the settings every ``doorstep`` command gets."""

    url: str
    settings: dict[str, str]


@contextlib.contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[Install]:
    """An empty database nobody has migrated (on PostgreSQL as production runs it: an owner
    for migrations, the server's restricted role, an audit key; dropped afterwards)."""
    if backend == "sqlite":
        yield Install(f"sqlite://{tmp_path / 'var' / 'doorstep.sqlite3'}", {})
        return
    if not TEST_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (CI sets it)")
    with deployment_sync(TEST_URL, "doorstep_install") as database:
        env = {**database.env(), "DOORSTEP_PHOTO_DIR": str(tmp_path / "photos")}
        yield Install(database.app_url, env)


def _doorstep(install: Install, *args: str) -> str:
    result = run(list(args), install.url, **install.settings)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def _officer_asks_for_advice(install: Install, tmp_path: Path, collar: str, code: str) -> Any:
    url = install.url
    await Tortoise.init(config=tortoise_config(url))
    try:
        key = install.settings.get("DOORSTEP_AUDIT_KEY", "")
        settings = Settings(database_url=url, photo_dir=tmp_path, audit_key=key)
        app = create_app(settings, manage_orm=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=ORIGIN, headers={"Origin": ORIGIN}
        ) as phone:
            signed_in = await enrol(phone, SoftAuthenticator(), collar, code)
            assert signed_in.status_code == 200, signed_in.text
            response = await phone.get("/api/advice")
            assert response.status_code == 200
            return response.json()
    finally:
        await close_orm()


async def _catalogue_rows(install: Install) -> int:
    await Tortoise.init(config=tortoise_config(install.url))
    try:
        return await AdviceItem.all().count()
    finally:
        await close_orm()


def test_fresh_install_done_the_documented_way_offers_advice_to_tick(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as install:
        _doorstep(install, "migrate")
        account = ["--collar", "4242", "--name", "PC Lee", "--role", "officer", "--team", "A"]
        _doorstep(install, "create-officer", *account)
        code = _doorstep(install, "enrol-code", "4242").strip().splitlines()[-1]

        catalogue = asyncio.run(_officer_asks_for_advice(install, tmp_path, "4242", code))

        assert [i["id"] for i in catalogue["items"]] == [a["item_id"] for a in DEFAULT_ADVICE]


def test_migrating_again_and_seeding_the_demo_keep_one_catalogue(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as install:
        _doorstep(install, "migrate")
        again = _doorstep(install, "migrate")
        assert "advice" not in again
        _doorstep(install, "seed-demo")
        assert asyncio.run(_catalogue_rows(install)) == len(DEFAULT_ADVICE)
