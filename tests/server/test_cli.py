"""The ``doorstep`` command, run as a real process, as an administrator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.server.test_migrations import ALL_MIGRATIONS

DOORSTEP = [sys.executable, "-m", "server.cli"]
ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], database_url: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run a doorstep subcommand against an SQLite database (photos and anchors beside it),
    or with ``settings`` (a PostgreSQL deployment's URLs and audit key, a photo folder)."""
    folder = Path(database_url.removeprefix("sqlite://")).parent
    env = {
        **os.environ,
        "DOORSTEP_DATABASE_URL": database_url,
        "DOORSTEP_PHOTO_DIR": str(folder / "photos"),
        "DOORSTEP_LOG_LEVEL": "WARNING",
        **settings,
    }
    return subprocess.run(
        [*DOORSTEP, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def free_port() -> int:
    """A TCP port nobody is listening on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], *, workers: int = 1) -> Iterator[int]:
    """``doorstep serve`` on a free port, once ``/readyz`` answers 200; stopped by SIGTERM."""
    port = free_port()
    process = subprocess.Popen(
        [*DOORSTEP, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("doorstep serve did not stop on SIGTERM")


def test_cli_migrate_seed_and_create_officer_on_fresh_sqlite(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'var' / 'doorstep.sqlite3'}"
    first = run(["migrate"], url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        *(f"applied {name}" for name in ALL_MIGRATIONS),
        "installed the default advice catalogue (16 items)",
        "installed the default leave-behind texts (version 1)",
    ]
    again = run(["migrate"], url)
    assert again.stdout.strip() == "no migrations to apply"

    seeded = run(["seed-demo"], url)
    assert seeded.returncode == 0, seeded.stderr
    assert "5 visits" in seeded.stdout

    created = run(
        [
            "create-officer",
            "--collar",
            "4321",
            "--name",
            "PCSO Ann Lowe",
            "--role",
            "officer",
            "--team",
            "Evesham SNT",
            "--area",
            "South Worcestershire",
        ],
        url,
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("created officer 4321")

    duplicate = run(
        ["create-officer", "--collar", "4321", "--name", "X", "--role", "admin", "--team", "T"],
        url,
    )
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr


def test_cli_bad_setting_exits_2_with_message(tmp_path: Path) -> None:
    env = {**os.environ, "DOORSTEP_SESSION_IDLE_SECONDS": "never"}
    result = subprocess.run(
        [*DOORSTEP, "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "DOORSTEP_SESSION_IDLE_SECONDS" in result.stderr


def test_cli_serve_answers_readyz(database_url: str, backend: str) -> None:
    port = free_port()
    env = {**os.environ, "DOORSTEP_DATABASE_URL": database_url, "DOORSTEP_LOG_LEVEL": "WARNING"}
    if backend == "postgres":
        # The test server's role is a superuser, which could rewrite the audit log: refused.
        # Serving as a restricted role: tests/server/audit/test_audit_roles_postgres.py.
        env["DOORSTEP_AUDIT_KEY"] = "k" * 64
        refused = subprocess.run(
            [*DOORSTEP, "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert refused.returncode == 1
        assert "is a superuser" in refused.stderr
        return
    with serving(env, workers=2):
        pass


def test_cli_enrol_code_revoke_device_and_audit_verify(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'doorstep.sqlite3'}"
    assert run(["migrate"], url).returncode == 0
    assert run(["seed-demo"], url).returncode == 0
    issued = run(["enrol-code", "1234"], url)
    assert issued.returncode == 0, issued.stderr
    code = issued.stdout.strip().splitlines()[-1]
    assert len(code.replace("-", "")) == 20
    assert code.replace("-", "").isalnum()
    unknown = run(["enrol-code", "0000"], url)
    assert unknown.returncode == 1
    assert "No active officer" in unknown.stderr

    bad_id = run(["revoke-device", "not-a-uuid"], url)
    assert bad_id.returncode == 2
    missing = run(["revoke-device", "00000000-0000-0000-0000-000000000000"], url)
    assert missing.returncode == 1

    fenced = run(["restore-fence"], url)
    assert fenced.returncode == 0, fenced.stderr
    assert "new feed epoch" in fenced.stdout

    verified = run(["audit-verify"], url)
    assert verified.returncode == 0, verified.stderr
    # The demo's four reports came in through intake (four collected, and the call), then
    # one enrolment code was issued.
    assert verified.stdout.startswith("audit chain intact: 6 rows")
