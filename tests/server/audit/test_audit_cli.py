"""Issue 14.2 through the real ``doorstep`` command on SQLite: anchors catch truncation."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

DOORSTEP = [sys.executable, "-m", "server.cli"]


def run(args: list[str], folder: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """``doorstep <args>`` on an SQLite database and photo folder of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env.update(
        DOORSTEP_DATABASE_URL=f"sqlite://{folder / 'doorstep.sqlite3'}",
        DOORSTEP_PHOTO_DIR=str(folder / "photos"),
        DOORSTEP_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return subprocess.run(
        [*DOORSTEP, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _truncate(database: Path, keep: int) -> None:
    """What anyone with the SQLite file can do: drop the triggers, delete, move the head."""
    with sqlite3.connect(database) as db:
        db.execute("DROP TRIGGER audit_event_no_delete")
        db.execute("DELETE FROM audit_event WHERE id > ?", (keep,))
        (last_hash,) = db.execute(
            "SELECT row_hash FROM audit_event WHERE id = ?", (keep,)
        ).fetchone()
        db.execute("UPDATE audit_chain_head SET last_id = ?, last_hash = ?", (keep, last_hash))


def test_cli_truncation_with_rewritten_head_fails_audit_verify(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    assert run(["seed-demo"], tmp_path).returncode == 0
    for _ in range(3):
        assert run(["enrol-code", "1234"], tmp_path).returncode == 0
    anchored = run(["audit-anchor"], tmp_path)
    assert anchored.returncode == 0, anchored.stderr
    assert anchored.stdout.startswith("anchored the audit log at row ")
    assert list((tmp_path / "photos" / "audit-anchors").glob("*.json"))
    again = run(["audit-anchor"], tmp_path)
    assert again.stdout.startswith("already anchored at row ")

    intact = run(["audit-verify"], tmp_path)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "checked against 1 anchor" in intact.stdout

    with sqlite3.connect(tmp_path / "doorstep.sqlite3") as db:
        (last,) = db.execute("SELECT max(id) FROM audit_event").fetchone()
    _truncate(tmp_path / "doorstep.sqlite3", last - 2)
    tampered = run(["audit-verify"], tmp_path)
    assert tampered.returncode == 1
    assert f"rows {last - 1} to {last} are missing" in tampered.stdout
    assert "Traceback" not in tampered.stderr


def test_cli_sqlite_key_is_generated_beside_the_database_and_a_wrong_key_fails(
    tmp_path: Path,
) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    assert run(["seed-demo"], tmp_path).returncode == 0
    assert run(["enrol-code", "1234"], tmp_path).returncode == 0
    key_file = tmp_path / "audit.key"
    assert key_file.is_file()
    assert key_file.stat().st_mode & 0o077 == 0
    assert run(["audit-verify"], tmp_path).returncode == 0

    wrong = run(["audit-verify"], tmp_path, DOORSTEP_AUDIT_KEY="x" * 64)
    assert wrong.returncode == 1
    assert "not configured" in wrong.stdout
    assert "x" * 64 not in wrong.stdout + wrong.stderr


def test_cli_postgres_without_a_key_is_a_configuration_error(tmp_path: Path) -> None:
    result = run(
        ["audit-verify"], tmp_path, DOORSTEP_DATABASE_URL="postgres://doorstep@127.0.0.1:1/none"
    )
    assert result.returncode == 2
    assert "DOORSTEP_AUDIT_KEY" in result.stderr
