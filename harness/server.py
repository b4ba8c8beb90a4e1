"""One ``doorstep serve`` on its own SQLite database and photo folder, serving the built app.

``stop()`` and ``start()`` take the server off the network and back on the same port: with the
browser offline too, nothing (not even the service worker, which Playwright's offline emulation
does not cover) can reach it, as when a phone has no signal.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import ROOT
from harness.ports import HOST, free_port
from harness.processes import Process, Service, clean_env, doorstep, serve_argv

PWA_DIST = ROOT / "pwa" / "dist"


class LiveServer(Service):
    """A served SQLite database in ``folder`` (a context manager: started, always stopped)."""

    def __init__(self, folder: Path, *, origin: str | None = None) -> None:
        self.port = free_port()
        # The browser's origin: this port, or a proxy's in front of it.
        self.url = origin or f"http://localhost:{self.port}"
        self.database_path = folder / "doorstep.sqlite3"
        self.photo_dir = folder / "photos"
        self.log = folder / "server.log"
        self.env = clean_env(
            DOORSTEP_DATABASE_URL=f"sqlite://{self.database_path}",
            DOORSTEP_PHOTO_DIR=str(self.photo_dir),
            DOORSTEP_PWA_DIR=str(PWA_DIST),
            DOORSTEP_ORIGIN=self.url,
            DOORSTEP_RP_ID="localhost",
            DOORSTEP_LOG_LEVEL="WARNING",
        )
        self.process = Process("doorstep serve", serve_argv(self.port), self.env, self.log)

    def doorstep(self, *args: str) -> str:
        """Run a ``doorstep`` subcommand against this server's database; return its stdout."""
        return doorstep(*args, env=self.env)

    def seed_demo(self) -> None:
        """``doorstep migrate`` and ``doorstep seed-demo``."""
        for command in ("migrate", "seed-demo"):
            self.doorstep(command)

    def enrolment_code(self, collar: str) -> str:
        """A fresh one-time enrolment code (the last line of ``doorstep enrol-code``)."""
        return self.doorstep("enrol-code", collar).strip().splitlines()[-1]

    def start(self) -> None:
        """Serve, and wait until /readyz answers."""
        self.process.start()
        self.process.wait_ready(f"http://{HOST}:{self.port}/readyz")

    def stop(self) -> None:
        """Stop serving (the port refuses connections until ``start``)."""
        self.process.stop()

    @property
    def running(self) -> bool:
        """Whether it is serving."""
        return self.process.alive

    def log_tail(self, n: int = 30) -> str:
        """The last lines of the server log."""
        return self.process.log_tail(n)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """The rows one SELECT finds in the server's database."""
        with contextlib.closing(sqlite3.connect(self.database_path)) as db:
            return db.execute(sql, params).fetchall()

    def execute(self, sql: str, *params: Any) -> int:
        """Change the server's database behind its back: the rows changed (committed)."""
        with contextlib.closing(sqlite3.connect(self.database_path)) as db, db:
            return db.execute(sql, params).rowcount

    def original(self, sha256: str) -> bytes:
        """The stored original for a sha256 (content-addressed on disk)."""
        return (self.photo_dir / "originals" / sha256[:2] / sha256).read_bytes()


@contextlib.contextmanager
def served_demo(folder: Path, *, origin: str | None = None) -> Iterator[LiveServer]:
    """Migrate, seed the demo, and serve the API plus the built app; stopped on the way out."""
    if not (PWA_DIST / "index.html").is_file():
        raise RuntimeError("pwa/dist is not built: `make test` builds it (npm run build in pwa/)")
    server = LiveServer(folder, origin=origin)
    server.seed_demo()
    with server:
        yield server
