"""PostgreSQL roles: the owner migrates; the server's role can do only what serving needs.

The audit table's triggers refuse UPDATE, DELETE and TRUNCATE, but a table's owner may drop or
disable its triggers, so they protect the log only from roles that do not own it. Hence two
roles (docs/deploy.md):

- the owner (``DOORSTEP_MIGRATE_DATABASE_URL``) owns every table and runs ``doorstep migrate``;
- the server's role (``DOORSTEP_DATABASE_URL``; its name is that URL's user) owns nothing.
  After migrating, the owner grants it SELECT, INSERT, UPDATE and DELETE on the ordinary tables,
  only SELECT and INSERT on ``audit_event``, SELECT and UPDATE on the chain head (the writer
  takes its lock by updating it), nothing on the migration records, USAGE on sequences, and no
  CREATE anywhere (no DDL, no TRUNCATE, no TRIGGER). Every migrate revokes and re-grants the
  whole set in one transaction, so it is idempotent and covers tables added by migrations.

The triggers stay as the second line: they stop the owner's own mistakes and any role granted
more than this by hand. ``check_server_role`` runs when the server starts and refuses a role
that could rewrite the audit log (owner, superuser, UPDATE/DELETE/TRUNCATE/TRIGGER on it, or
CREATE on the schema).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.db import close_orm, tortoise_config
from server.errors import DoorstepError
from server.settings import Settings, backend_name

AUDIT_GRANTS = {"audit_event": "SELECT, INSERT", "audit_chain_head": "SELECT, UPDATE"}
NO_GRANTS = {"tortoise_migrations"}
ORDINARY_GRANTS = "SELECT, INSERT, UPDATE, DELETE"


class UnsafeDatabaseRole(DoorstepError):
    """The database roles are not set up so that the server cannot rewrite the audit log."""

    code = "unsafe_database_role"


def role_of(database_url: str) -> str:
    """The role a database URL connects as (its user name)."""
    return unquote(urlsplit(database_url).username or "")


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


async def grant_server_role(settings: Settings) -> list[str]:
    """As the owner, after migrating: give the server's role exactly its privileges.

    Returns what was done, or a warning when both URLs name one role (then nothing is granted
    and the server will refuse to start on PostgreSQL).
    """
    if backend_name(settings.database_url) != "postgres":
        return []
    app, owner = role_of(settings.database_url), role_of(settings.owner_database_url)
    if not app or app == owner:
        return [
            "warning: DOORSTEP_DATABASE_URL and DOORSTEP_MIGRATE_DATABASE_URL name the same "
            "role, which owns the tables: the server would be able to rewrite the audit log "
            "and will refuse to start (docs/deploy.md)"
        ]
    await Tortoise.init(config=tortoise_config(settings.owner_database_url))
    try:
        async with in_transaction() as conn:
            tables = await _check_roles(conn, app)
            for statement in _grant_statements(app, tables, await _names(conn)):
                await conn.execute_script(statement)
    finally:
        await close_orm()
    ordinary = len(set(tables) - AUDIT_GRANTS.keys() - NO_GRANTS)
    audit = "; ".join(f"{privileges} on {table}" for table, privileges in AUDIT_GRANTS.items())
    return [f"granted {app}: {ORDINARY_GRANTS} on {ordinary} tables; {audit}; no DDL"]


async def _names(conn: BaseDBAsyncClient) -> tuple[str, str]:
    rows = await conn.execute_query_dict("SELECT current_schema() AS s, current_database() AS d")
    return str(rows[0]["s"]), str(rows[0]["d"])


async def _check_roles(conn: BaseDBAsyncClient, app: str) -> list[str]:
    """Refuse roles that grants cannot make safe; return the tables to grant on."""
    rows = await conn.execute_query_dict(
        "SELECT rolsuper, pg_has_role(rolname, current_user, 'USAGE') AS has_owner "
        "FROM pg_roles WHERE rolname = $1",
        [app],
    )
    if not rows:
        raise UnsafeDatabaseRole(f"the server's role {app} does not exist: create it first")
    if rows[0]["rolsuper"] or rows[0]["has_owner"]:
        raise UnsafeDatabaseRole(
            f"the server's role {app} is a superuser or has the owner's privileges: "
            "grants cannot restrict it (docs/deploy.md)"
        )
    tables = await conn.execute_query_dict(
        "SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, current_user AS me "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    foreign = sorted({str(t["owner"]) for t in tables if t["owner"] != t["me"]})
    if foreign:
        raise UnsafeDatabaseRole(
            f"some tables are owned by {', '.join(foreign)}, not by the migrating role: as a "
            f"superuser, run REASSIGN OWNED BY <that role> TO <owner> (docs/deploy.md)"
        )
    return [str(t["relname"]) for t in tables]


def _grant_statements(app: str, tables: list[str], names: tuple[str, str]) -> list[str]:
    role, schema, database = quote_ident(app), quote_ident(names[0]), quote_ident(names[1])
    audit = ", ".join(quote_ident(t) for t in AUDIT_GRANTS)
    statements = [
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {schema} FROM {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE CREATE ON DATABASE {database} FROM PUBLIC",
        f"REVOKE CREATE ON DATABASE {database} FROM {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON {audit} FROM PUBLIC",
    ]
    for table in tables:
        if table in NO_GRANTS:
            continue
        privileges = AUDIT_GRANTS.get(table, ORDINARY_GRANTS)
        statements.append(f"GRANT {privileges} ON {quote_ident(table)} TO {role}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    return statements


async def check_server_role(connection: BaseDBAsyncClient) -> None:
    """Refuse to serve as a PostgreSQL role that could rewrite the audit log."""
    if connection.capabilities.dialect != "postgres":
        return
    rows = await connection.execute_query_dict(
        "SELECT current_user AS role, r.rolsuper AS superuser, "
        "pg_has_role(current_user, c.relowner, 'USAGE') AS owner, "
        "has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') "
        "OR has_table_privilege(c.oid, 'TRUNCATE') OR has_table_privilege(c.oid, 'TRIGGER') "
        "AS rewrite, has_schema_privilege(c.relnamespace, 'CREATE') AS ddl "
        "FROM pg_roles r, pg_class c "
        "WHERE r.rolname = current_user AND c.oid = 'audit_event'::regclass"
    )
    found = rows[0]
    problems = [
        text
        for flag, text in (
            ("superuser", "is a superuser"),
            ("owner", "owns the audit table"),
            ("rewrite", "may UPDATE, DELETE, TRUNCATE or add triggers on the audit table"),
            ("ddl", "may create objects in its schema"),
        )
        if found[flag]
    ]
    if problems:
        raise UnsafeDatabaseRole(
            f"the server's database role {found['role']} {', '.join(problems)}, so it could "
            "rewrite the audit log: serve as a role that owns nothing, and run `doorstep "
            "migrate` with DOORSTEP_MIGRATE_DATABASE_URL naming the owner (docs/deploy.md)"
        )
