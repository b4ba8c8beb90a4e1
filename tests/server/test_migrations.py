"""Native tortoise migrations: a fresh database gets them all, an existing one only the new."""

from __future__ import annotations

import secrets
import uuid
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


async def test_the_advice_catalogue_survives_becoming_a_synchronised_collection(
    fresh_database_url: str,
) -> None:
    """Items stored before advice_items was synchronised keep their ids, versions and text,
    each at its own change version with a first revision, so phones receive them by pull."""
    synced = next(i for i, m in enumerate(ALL_MIGRATIONS) if m.endswith("advice_catalogue_synced"))
    await apply_migrations(fresh_database_url, target=ALL_MIGRATIONS[synced - 1])
    await Tortoise.init(config=tortoise_config(fresh_database_url))
    try:
        await connections.get("default").execute_script(
            "INSERT INTO advice_item (item_id, version, category, title, body, tags, position,"
            " current, retired, created_at) VALUES"
            " ('lock-up', 1, 'Habits', 'Lock up', 'Old text', '[\"wide\"]', 3, false, false,"
            "  '2026-01-01 00:00:00+00:00'),"
            " ('lock-up', 2, 'Habits', 'Lock up', 'New text', '[]', 3, true, true,"
            "  '2026-02-01 00:00:00+00:00')"
        )
    finally:
        await close_orm()
    await apply_migrations(fresh_database_url)
    await Tortoise.init(config=tortoise_config(fresh_database_url))
    try:
        from server.advice.models import AdviceItem, advice_record_id
        from server.feed.models import Revision

        rows = await AdviceItem.all().order_by("item_version")
        assert [(r.id, r.body, r.current, r.retired, r.tags) for r in rows] == [
            (advice_record_id("lock-up", 1), "Old text", False, False, ["wide"]),
            (advice_record_id("lock-up", 2), "New text", True, True, []),
        ]
        assert sorted(r.version for r in rows) == [1, 2]
        assert await Revision.filter(collection="advice_items").count() == 2
    finally:
        await close_orm()


async def test_visits_stored_before_the_line_key_get_theirs(db: str, backend: str) -> None:
    """The repeat check finds earlier burglaries by (postcode, line key): rows written before
    the key existed are given theirs by the migration that adds it (its step run here on rows
    whose key is blank, as a database from before it has them)."""
    import importlib
    from types import SimpleNamespace

    from server.org.models import Role
    from server.org.service import create_officer
    from server.visits.models import Visit

    step = importlib.import_module("server.migrations.0019_address_line_key").fill_line_keys
    client = connections.get("default")
    officer = await create_officer(
        collar_number="4100", display_name="PC", role=Role.OFFICER, team_name="A", area_name="X"
    )
    await officer.fetch_related("team")
    post = {"officer_id": officer.id, "team_id": officer.team.id, "area_id": officer.team.area_id}  # type: ignore[attr-defined]
    first, blank = uuid.uuid4(), uuid.uuid4()
    await Visit.create(id=first, address_line1="14 Lansdowne Cres.", **post)
    await Visit.create(id=blank, address_line1=None, **post)
    await client.execute_script("UPDATE visit SET address_line_key = NULL")
    dialect = "postgres" if backend == "postgres" else "sqlite"
    await step(None, SimpleNamespace(client=client, DIALECT=dialect))
    rows = await client.execute_query_dict("SELECT id, address_line_key FROM visit")
    keys = {str(r["id"]): r["address_line_key"] for r in rows}
    assert (keys[str(first)], keys[str(blank)]) == ("14 lansdowne crescent", None)
