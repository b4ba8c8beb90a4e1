"""Native tortoise migrations: a fresh database gets them all, an existing one only the new."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise, connections

from harness.postgres import TEST_URL as POSTGRES_URL
from harness.postgres import asyncpg_dsn as _asyncpg_dsn
from harness.postgres import with_database as _with_database
from server.db import apply_migrations, close_orm, tortoise_config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "server" / "migrations"
ALL_MIGRATIONS = sorted(f"doorstep.{p.stem}" for p in MIGRATIONS_DIR.glob("0*.py"))


@pytest.fixture
async def fresh_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database with no migrations applied (dropped afterwards on PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite://{tmp_path / 'fresh.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (CI sets it)")
    name = f"doorstep_fresh_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_migrate_fresh_database_applies_every_migration(fresh_database_url: str) -> None:
    assert await apply_migrations(fresh_database_url) == ALL_MIGRATIONS
    assert await apply_migrations(fresh_database_url) == []


async def test_migrate_existing_database_applies_only_new_migrations(
    fresh_database_url: str,
) -> None:
    assert await apply_migrations(fresh_database_url, target="doorstep.0001_initial") == [
        "doorstep.0001_initial"
    ]
    assert await apply_migrations(fresh_database_url) == ALL_MIGRATIONS[1:]
    await Tortoise.init(config=tortoise_config(fresh_database_url))
    try:
        rows = await connections.get("default").execute_query_dict(
            "SELECT value FROM change_counter WHERE id = 1"
        )
    finally:
        await close_orm()
    assert rows == [{"value": 0}]


async def test_migrations_match_models_no_changes_pending(db: str) -> None:
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config("sqlite://:memory:")
    apps = Tortoise.apps
    detector = MigrationAutodetector(apps, config["apps"])
    writers = await detector.changes()
    assert writers == [], "models changed without a migration: run `make migrations`"
