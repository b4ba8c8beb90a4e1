"""The production shape of docs/deploy.md on one machine: two workers behind Caddy.

Two worker processes, each ``doorstep serve --host 127.0.0.1 --port N`` (this checkout's
``python -m server.cli serve``), share one PostgreSQL database and one ``DOORSTEP_PHOTO_DIR``;
Caddy runs the repository's ``Caddyfile`` (or another one given) in front of them:

* ``DOORSTEP_DOMAIN=http://127.0.0.1:<free port>``: the production site block, over plain HTTP so
  no certificate authority is asked for anything;
* the local profile ``http://localhost:8080`` moved to a free port (a copy of the Caddyfile with
  only that site address changed): the public origin browsers use, so ``DOORSTEP_ORIGIN`` of the
  workers is ``http://localhost:<that port>``;
* ``DOORSTEP_UPSTREAMS`` lists the workers, ``DOORSTEP_PWA_DIR`` a tiny built app.

At log level INFO the workers log one JSON ``doorstep.access`` line per request with its request
id: a request sent with its own ``X-Request-Id`` tells which worker answered (``served_by``).
Processes are stopped by their own process groups whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from harness import ROOT
from harness.ports import HOST, free_port
from harness.postgres import Deployment
from harness.processes import Process, Service, clean_env, doorstep, serve_argv

CADDYFILE = ROOT / "Caddyfile"
LOCAL_SITE = "http://localhost:8080 {"

INDEX_HTML = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Doorstep</title>"
    "<link rel='manifest' href='/manifest.webmanifest'>"
    "<script type='module' src='/assets/app-abc.js'></script></head><body>"
    + "<p>Doorstep: burglary visits, offline first.</p>" * 40
    + "</body></html>"
)
APP_JS = "export const hello = () => 'doorstep';\n" * 40
SW_JS = "self.addEventListener('fetch', () => {});\n"


class Stack(Service):
    """Workers and Caddy, as docs/deploy.md runs them, on one database (a context manager)."""

    def __init__(
        self,
        database: Deployment,
        workdir: Path,
        *,
        caddyfile: Path = CADDYFILE,
        workers: int = 2,
        **settings: str,
    ) -> None:
        self.database = database
        self.workdir = workdir
        self.caddyfile = caddyfile
        self.public_port = free_port()
        self.production_port = free_port()
        self.worker_ports = [free_port() for _ in range(workers)]
        # The browser's origin: Caddy's local profile, moved to a free port.
        self.origin = f"http://localhost:{self.public_port}"
        # The production site block ({$DOORSTEP_DOMAIN}), over plain HTTP.
        self.production_url = f"http://{HOST}:{self.production_port}"
        self.photo_dir = workdir / "photos"
        self.pwa_dir = workdir / "pwa"
        self.settings = settings
        self.workers: list[Process] = []
        self.caddy: Process | None = None
        self.officers = 0

    # --- set-up -------------------------------------------------------------------------------

    def cli_env(self) -> dict[str, str]:
        """The environment of a ``doorstep`` command on this stack's database."""
        return clean_env(**self.database.env())

    def worker_env(self) -> dict[str, str]:
        """What every worker shares: database, origin, photo folder (then ``settings``)."""
        env = clean_env(
            **self.database.env(),
            DOORSTEP_ORIGIN=self.origin,
            DOORSTEP_RP_ID="localhost",
            DOORSTEP_PHOTO_DIR=str(self.photo_dir),
            DOORSTEP_PWA_DIR=str(self.pwa_dir),
            DOORSTEP_LOG_LEVEL="INFO",
        )
        env.update(self.settings)
        return env

    def write_app(self) -> None:
        """A tiny built app: index.html, a hashed asset and the service worker."""
        (self.pwa_dir / "assets").mkdir(parents=True, exist_ok=True)
        (self.pwa_dir / "index.html").write_text(INDEX_HTML)
        (self.pwa_dir / "assets" / "app-abc.js").write_text(APP_JS)
        (self.pwa_dir / "sw.js").write_text(SW_JS)

    def write_caddyfile(self) -> Path:
        """The Caddyfile with only the local profile's port changed."""
        source = self.caddyfile.read_text()
        if source.count(LOCAL_SITE) != 1:
            raise RuntimeError(f"{self.caddyfile}: no single `{LOCAL_SITE}` site to move")
        path = self.workdir / "Caddyfile"
        path.write_text(source.replace(LOCAL_SITE, f"http://localhost:{self.public_port} {{"))
        return path

    def start(self) -> None:
        """Start the workers and Caddy and wait until they all answer."""
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        self.write_app()
        for i, port in enumerate(self.worker_ports):
            log = self.workdir / f"worker{i}.log"
            self.workers.append(Process(f"worker{i}", serve_argv(port), self.worker_env(), log))
        for worker in self.workers:
            worker.start()
        caddy_env = clean_env(
            DOORSTEP_DOMAIN=self.production_url,
            DOORSTEP_UPSTREAMS=" ".join(f"{HOST}:{p}" for p in self.worker_ports),
            DOORSTEP_PWA_DIR=str(self.pwa_dir),
            XDG_DATA_HOME=str(self.workdir / "caddy-data"),
            XDG_CONFIG_HOME=str(self.workdir / "caddy-config"),
        )
        caddyfile = self.write_caddyfile()
        self.caddy = Process(
            "caddy",
            ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            caddy_env,
            self.workdir / "caddy.log",
        )
        self.caddy.start()
        for i, worker in enumerate(self.workers):
            worker.wait_ready(self.worker_url(i) + "/readyz")
        self.caddy.wait_ready(self.origin + "/readyz")
        self.caddy.wait_ready(self.production_url + "/")

    def stop(self) -> None:
        """Stop Caddy and the workers (whatever state they are in)."""
        for process in [self.caddy, *self.workers]:
            if process is not None:
                process.stop()

    # --- what tests and benchmarks look at -----------------------------------------------------

    def worker_url(self, i: int) -> str:
        """A worker's own address (the internal network: what Caddy proxies to)."""
        return f"http://{HOST}:{self.worker_ports[i]}"

    def stop_worker(self, i: int, sig: int = signal.SIGTERM) -> None:
        """Stop (SIGTERM) or kill (SIGKILL) one worker and make sure its port is closed."""
        self.workers[i].stop(sig)
        try:
            httpx.get(self.worker_url(i) + "/healthz", timeout=2)
        except httpx.ConnectError:
            return
        raise AssertionError(f"worker{i} still answers after {signal.Signals(sig).name}")

    def served_by(self, request_id: str, *, wait: float = 5.0) -> set[int]:
        """The workers whose access log has a request with this id (waits for the log line)."""
        deadline = time.monotonic() + wait
        while True:
            found: set[int] = set()
            for i, worker in enumerate(self.workers):
                for line in worker.lines_with(request_id):
                    if '"doorstep.access"' not in line:
                        continue
                    if json.loads(line).get("request_id") == request_id:
                        found.add(i)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def caddy_errors(self) -> list[dict[str, Any]]:
        """Caddy's error log entries (status and message) for requests it could not proxy."""
        assert self.caddy is not None
        entries = []
        for line in self.caddy.lines_with('"http.log.error"'):
            entry = json.loads(line)
            entries.append({"status": entry.get("status"), "msg": entry.get("msg", "")})
        return entries

    def server_errors(self) -> list[str]:
        """Log lines of every worker that show a 5xx answer (503 aside) or a traceback."""
        problems = []
        for worker in self.workers:
            for line in worker.log_lines():
                failed = "Traceback" in line or '"level": "ERROR"' in line
                answered_5xx = '"doorstep.access"' in line and '"status": 5' in line
                if failed or (answered_5xx and '"status": 503' not in line):
                    problems.append(f"{worker.name}: {line[:500]}")
        return problems

    # --- people ---------------------------------------------------------------------------------

    def doorstep(self, *args: str) -> str:
        """``doorstep <args>`` on this stack's database: its stdout."""
        return doorstep(*args, env=self.cli_env())

    def new_officer(self) -> tuple[str, str]:
        """``doorstep create-officer`` and ``doorstep enrol-code``: (collar, one-time code)."""
        self.officers += 1
        collar = f"D{os.getpid() % 1000:03d}{self.public_port}{self.officers}"
        self.doorstep(
            "create-officer",
            *("--collar", collar, "--name", f"PC Deploy {collar}", "--role", "officer"),
            *("--team", "Deploy Response A", "--area", "Deploy Area"),
        )
        return collar, self.doorstep("enrol-code", collar).strip().splitlines()[-1]

    def browser(self, **kwargs: Any) -> httpx.AsyncClient:
        """A browser on the public origin: its own cookie jar, Origin on every request."""
        return httpx.AsyncClient(
            base_url=self.origin,
            headers={"Origin": self.origin},
            timeout=httpx.Timeout(60.0),
            **kwargs,
        )


SignIn = Callable[[Stack], Awaitable[httpx.AsyncClient]]
