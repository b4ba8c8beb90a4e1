"""Issue 14.2 on PostgreSQL with two real roles: the owner migrates, the server's role cannot
touch the audit log's history.

Before the fix the deploy guide had one role own the tables and serve the API, so the server's
own role could ``DROP TRIGGER`` on the audit table and then rewrite it. Here a fresh owner role
owns a fresh database, ``doorstep migrate`` runs as that owner (``DOORSTEP_MIGRATE_DATABASE_URL``)
and grants the app role (``DOORSTEP_DATABASE_URL``) what the server needs, and every attack is
tried as the app role on a direct connection.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise

from harness.postgres import TEST_URL as POSTGRES_URL
from server.audit.keys import AuditKey, AuditKeys, use_audit_keys
from server.audit.models import AuditAction
from server.audit.service import AuditEntry, verify_chain, write_audit
from server.db import close_orm, tortoise_config
from server.db_roles import UnsafeDatabaseRole, check_server_role
from tests.server.audit.pg_roles import ROOT, admin, asyncpg_dsn, doorstep_env, with_user
from tests.server.test_cli import free_port, serving

DOORSTEP = [sys.executable, "-m", "server.cli"]


@dataclass(frozen=True)
class Roles:
    """A database owned by its own owner role, and the app role the server connects as."""

    owner: str
    app: str
    database: str
    owner_url: str
    app_url: str
    env: dict[str, str]
    key: str

    def dsn(self, url: str) -> str:
        """asyncpg wants postgresql://."""
        return asyncpg_dsn(url)


def doorstep(roles: Roles, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``doorstep`` command with the two-role settings."""
    return subprocess.run(
        [*DOORSTEP, *args],
        env={**roles.env, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roles]:
    """``doorstep_owner_<rand>`` owning a new database, ``doorstep_app_<rand>``, migrated."""
    if not POSTGRES_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (CI sets it)")
    suffix = secrets.token_hex(4)
    owner, app, database = (
        f"doorstep_owner_{suffix}",
        f"doorstep_app_{suffix}",
        f"doorstep_roles_{suffix}",
    )
    folder = tmp_path_factory.mktemp("roles")
    key = secrets.token_hex(32)
    owner_url = with_user(POSTGRES_URL, owner, database)
    app_url = with_user(POSTGRES_URL, app, database)
    env = doorstep_env(app_url, owner_url, key)
    env["DOORSTEP_PHOTO_DIR"] = str(folder / "photos")
    made = Roles(owner, app, database, owner_url, app_url, env, key)
    admin(
        f'CREATE ROLE "{owner}" LOGIN',
        f'CREATE ROLE "{app}" LOGIN',
        f'CREATE DATABASE "{database}" OWNER "{owner}"',
    )
    try:
        migrated = doorstep(made, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        assert f"granted {app}" in migrated.stdout
        yield made
    finally:
        admin(
            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
            f'DROP ROLE IF EXISTS "{app}"',
            f'DROP ROLE IF EXISTS "{owner}"',
        )


@pytest.fixture
async def as_app(roles: Roles) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection as the server's role, as an attacker in the server would have."""
    conn = await asyncpg.connect(roles.dsn(roles.app_url))
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def as_owner(roles: Roles) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection as the owner (an insider with the migration credentials)."""
    conn = await asyncpg.connect(roles.dsn(roles.owner_url))
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def orm_as_app(roles: Roles) -> AsyncIterator[AuditKeys]:
    """The ORM opened as the app role, with the deployment's audit key."""
    keys = AuditKeys(AuditKey(roles.key))
    previous = use_audit_keys(keys)
    await Tortoise.init(config=tortoise_config(roles.app_url))
    try:
        yield keys
    finally:
        await close_orm()
        use_audit_keys(previous)


async def _grants(conn: asyncpg.Connection, role: str) -> dict[str, set[str]]:
    rows = await conn.fetch(
        "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
        "WHERE grantee = $1 AND table_schema = current_schema()",
        role,
    )
    grants: dict[str, set[str]] = {}
    for row in rows:
        grants.setdefault(row["table_name"], set()).add(row["privilege_type"])
    return grants


async def _write_rows(n: int) -> None:
    for i in range(n):
        await write_audit(
            [AuditEntry(action=AuditAction.CONSULT, record_type="visit", record_id=f"v{i}")],
            datetime.now(UTC),
        )


async def test_migrate_grants_the_app_role_only_what_the_server_needs(
    roles: Roles, as_owner: asyncpg.Connection
) -> None:
    grants = await _grants(as_owner, roles.app)
    assert grants["audit_event"] == {"SELECT", "INSERT"}
    assert grants["audit_chain_head"] == {"SELECT", "UPDATE"}
    assert grants["visit"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert "tortoise_migrations" not in grants
    assert not any({"TRUNCATE", "TRIGGER", "REFERENCES"} & p for p in grants.values())
    owners = await as_owner.fetch(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()"
    )
    assert [r["tableowner"] for r in owners] == [roles.owner]
    can_create = await as_owner.fetchval(
        "SELECT has_schema_privilege($1, current_schema(), 'CREATE')", roles.app
    )
    assert can_create is False


async def test_migrate_again_keeps_exactly_the_same_grants(
    roles: Roles, as_owner: asyncpg.Connection
) -> None:
    before = await _grants(as_owner, roles.app)
    again = doorstep(roles, "migrate")
    assert again.returncode == 0, again.stderr
    assert "no migrations to apply" in again.stdout
    assert await _grants(as_owner, roles.app) == before


async def test_app_role_cannot_drop_audit_trigger(as_app: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="must be owner"):
        await as_app.execute("DROP TRIGGER audit_event_no_update_delete ON audit_event")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="must be owner"):
        await as_app.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_app.execute("SET session_replication_role = replica")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET reason = 'edited'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "DELETE FROM audit_chain_head",
    ],
    ids=["update", "delete", "truncate", "delete_head"],
)
async def test_app_role_cannot_rewrite_audit_rows(
    as_app: asyncpg.Connection, statement: str
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await as_app.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE shadow (id int)",
        "ALTER TABLE visit ADD COLUMN shadow int",
        "ALTER TABLE audit_event ADD COLUMN shadow int",
        "DROP TABLE audit_event",
        "CREATE SCHEMA shadow",
        "CREATE FUNCTION shadow() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    ],
    ids=["create_table", "alter_table", "alter_audit", "drop_audit", "create_schema", "function"],
)
async def test_app_role_cannot_run_ddl(as_app: asyncpg.Connection, statement: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_app.execute(statement)


async def test_server_works_as_the_app_role(roles: Roles, orm_as_app: AuditKeys) -> None:
    from tortoise import connections

    from server.org.models import Role
    from server.org.service import create_officer

    await check_server_role(connections.get("default"))
    collar = str(secrets.randbelow(9000) + 1000)
    officer = await create_officer(
        collar_number=collar,
        display_name="PC App Role",
        role=Role.OFFICER,
        team_name=f"Team {uuid.uuid4().hex[:6]}",
        area_name="Area",
    )
    assert officer.collar_number == collar
    await _write_rows(3)
    assert (await verify_chain()).intact


async def test_server_refuses_to_run_as_the_owner_role(roles: Roles) -> None:
    await Tortoise.init(config=tortoise_config(roles.owner_url))
    try:
        from tortoise import connections

        with pytest.raises(UnsafeDatabaseRole, match="owns the audit table"):
            await check_server_role(connections.get("default"))
    finally:
        await close_orm()
    refused = doorstep(
        roles, "serve", "--port", str(free_port()), DOORSTEP_DATABASE_URL=roles.owner_url
    )
    assert refused.returncode == 1
    assert "owns the audit table" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_serve_as_app_role_answers_readyz_and_anchors_the_chain(roles: Roles) -> None:
    created = doorstep(
        roles,
        *("create-officer", "--collar", "7001", "--name", "PC Anchor", "--role", "officer"),
        *("--team", "Anchor Team"),
    )
    assert created.returncode == 0, created.stderr
    assert doorstep(roles, "enrol-code", "7001").returncode == 0
    anchors = Path(roles.env["DOORSTEP_PHOTO_DIR"]) / "audit-anchors"
    before = set(anchors.glob("*.json")) if anchors.exists() else set()
    with serving({**roles.env, "DOORSTEP_AUDIT_ANCHOR_SECONDS": "60"}, workers=2):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not set(anchors.glob("*.json")) - before:
            time.sleep(0.2)
        assert set(anchors.glob("*.json")) - before, "the server wrote no anchor"
    verified = doorstep(roles, "audit-verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def test_truncation_by_owner_with_rewritten_head_fails_audit_verify(
    roles: Roles, orm_as_app: AuditKeys, as_owner: asyncpg.Connection
) -> None:
    await _write_rows(4)
    anchored = doorstep(roles, "audit-anchor")
    assert anchored.returncode == 0, anchored.stderr
    intact = doorstep(roles, "audit-verify")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    last = await as_owner.fetchval("SELECT max(id) FROM audit_event")

    # The owner can get past the triggers; the anchor outside the database still tells.
    async with as_owner.transaction():
        await as_owner.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
        await as_owner.execute("DELETE FROM audit_event WHERE id > $1", last - 2)
        await as_owner.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")
        await as_owner.execute(
            "UPDATE audit_chain_head SET last_id = id2, last_hash = h FROM "
            "(SELECT id AS id2, row_hash AS h FROM audit_event ORDER BY id DESC LIMIT 1) AS t"
        )
    assert (await verify_chain()).intact  # the chain alone cannot tell
    tampered = doorstep(roles, "audit-verify")
    assert tampered.returncode == 1
    assert f"rows {last - 1} to {last} are missing" in tampered.stdout
    assert "anchor" in tampered.stdout
