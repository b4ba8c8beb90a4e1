"""The PostgreSQL client sends no reset on release, which is safe only while no code keeps
session state on a connection: this fences that, and checks what a release still does."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from tortoise import connections

from server.db import tortoise_config
from server.pgclient import Connection

SERVER = Path(__file__).resolve().parents[2] / "server"
# Session state a pooled connection could carry to the next request: a session-level SET
# (SET LOCAL and SET TRANSACTION end with the transaction), LISTEN, advisory locks held past
# the transaction, cursors, temporary tables, prepared statements by name.
SESSION_STATE = re.compile(
    r"(^|;)\s*SET\s+(?!LOCAL\b|TRANSACTION\b)\w+\s*(=|TO\b)|\bLISTEN\b|pg_advisory_lock|\bDECLARE\b"
    r"|\bCREATE\s+TEMP|\bPREPARE\s+\w|set_config\s*\([^)]*false",
    re.IGNORECASE,
)


def _session_statements(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SESSION_STATE.search(node.value)
    ]


def test_no_server_code_keeps_session_state_on_a_connection() -> None:
    found = [hit for path in sorted(SERVER.rglob("*.py")) for hit in _session_statements(path)]
    assert found == []


def test_the_fence_sees_session_state(tmp_path: Path) -> None:
    rogue = tmp_path / "rogue.py"
    rogue.write_text('A = "SET search_path TO x"\nB = "LISTEN feed"\nC = "UPDATE t SET a = 1"\n')
    assert len(_session_statements(rogue)) == 2


def test_postgres_urls_use_the_client_without_reset() -> None:
    config = tortoise_config("postgres://u@127.0.0.1:5432/db")
    assert config["connections"]["default"]["engine"] == "server.pgclient"
    assert isinstance(tortoise_config("sqlite://x.sqlite3")["connections"]["default"], str)


async def test_a_released_connection_sends_no_reset_but_ends_its_transaction(
    backend: str, db: str
) -> None:
    if backend != "postgres":
        pytest.skip("PostgreSQL only")
    client = connections.get("default")
    async with client.acquire_connection() as conn:
        assert conn.get_reset_query() == Connection.get_reset_query(conn) == ""
        await conn.execute("BEGIN")
        await conn.execute("SELECT 1")
    async with client.acquire_connection() as conn:
        assert not conn.is_in_transaction()
