"""Deployment fixtures: two ``doorstep serve`` workers behind Caddy, on one PostgreSQL database.

This is the production shape of ``docs/deploy.md`` on one machine: two worker processes, each
``doorstep serve --host 127.0.0.1 --port N`` (run as ``python -m server.cli serve``, the same
entry point as the ``doorstep`` script), sharing one throwaway PostgreSQL database and one
``DOORSTEP_PHOTO_DIR``, with Caddy in front running the repository's ``Caddyfile``:

* ``DOORSTEP_DOMAIN=http://127.0.0.1:<free port>``: the production site block, over plain HTTP so
  no certificate authority is asked for anything;
* the local profile ``http://localhost:8080`` moved to a free port (a temporary copy of the
  Caddyfile with only that site address changed), which is the public origin the tests' browsers
  use, so ``DOORSTEP_ORIGIN`` of the workers is ``http://localhost:<that port>``;
* ``DOORSTEP_UPSTREAMS`` lists the two workers, ``DOORSTEP_PWA_DIR`` a tiny built app.

The workers log JSON at INFO, one ``doorstep.access`` line per request with its request id; a
test that sends its own ``X-Request-Id`` can tell which worker answered (``Stack.served_by``).

``DOORSTEP_TEST_CADDYFILE`` may name another Caddyfile to run instead of the repository's (to try
a change to it before committing it); its local profile must still be ``http://localhost:8080``.

Everything is skipped, like every PostgreSQL test, when ``DOORSTEP_TEST_POSTGRES_URL`` is unset
(CI sets it). Processes are stopped (by their own process group) and the database dropped
whatever happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.support.authenticator import SoftAuthenticator
from tests.support.passkeys import enrol

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL", "")
CADDYFILE = Path(os.environ.get("DOORSTEP_TEST_CADDYFILE") or ROOT / "Caddyfile")
HOST = "127.0.0.1"
LOCAL_SITE = "http://localhost:8080 {"
START_TIMEOUT = 40.0
TUS = {"Tus-Resumable": "1.0.0"}

INDEX_HTML = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Doorstep</title>"
    "<link rel='manifest' href='/manifest.webmanifest'>"
    "<script type='module' src='/assets/app-abc.js'></script></head><body>"
    + "<p>Doorstep: burglary visits, offline first.</p>" * 40
    + "</body></html>"
)
APP_JS = "export const hello = () => 'doorstep';\n" * 40
SW_JS = "self.addEventListener('fetch', () => {});\n"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database (keeps the postgres:// scheme)."""
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants postgresql://."""
    return url.replace("postgres://", "postgresql://", 1)


def cli(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run ``doorstep <args>`` (``python -m server.cli``); returns stdout, raises on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"doorstep {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def base_env(database_url: str) -> dict[str, str]:
    """The process environment without any inherited DOORSTEP_* setting."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DOORSTEP_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(
        DOORSTEP_DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def deploy_database() -> Iterator[str]:
    """A throwaway PostgreSQL database, migrated by ``doorstep migrate``, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (CI sets it)")
    if shutil.which("caddy") is None:
        pytest.fail("caddy is not installed: `make system-deps` installs it")
    name = f"doorstep_deploy_{os.getpid()}_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = with_database(POSTGRES_URL, name)
    try:
        cli("migrate", env=base_env(url))
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Process:
    """A subprocess in its own process group, logging to a file; stopped by its own pid."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it (stdout and stderr to the log file)."""
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        """Whether it is running."""
        return self.popen is not None and self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Send ``sig`` to its process group and wait; SIGKILL if it lingers."""
        if not self.alive:
            return
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def log(self) -> str:
        """Everything it wrote."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


class Stack:
    """Two workers and Caddy, as docs/deploy.md runs them, on one database."""

    def __init__(self, database_url: str, workdir: Path, **settings: str) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.public_port = free_port()
        self.production_port = free_port()
        self.worker_ports = [free_port(), free_port()]
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

    def worker_env(self) -> dict[str, str]:
        """What every worker shares: database, origin, photo folder."""
        env = base_env(self.database_url)
        env.update(
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
        """The repository Caddyfile with only the local profile's port changed."""
        source = CADDYFILE.read_text()
        assert source.count(LOCAL_SITE) == 1, "the Caddyfile's local profile has moved"
        path = self.workdir / "Caddyfile"
        path.write_text(source.replace(LOCAL_SITE, f"http://localhost:{self.public_port} {{"))
        return path

    def start(self) -> None:
        """Start both workers and Caddy and wait until they all answer."""
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        self.write_app()
        for i, port in enumerate(self.worker_ports):
            argv = [sys.executable, "-m", "server.cli", "serve", "--host", HOST]
            argv += ["--port", str(port)]
            self.workers.append(
                Process(f"worker{i}", argv, self.worker_env(), self.workdir / f"worker{i}.log")
            )
        for worker in self.workers:
            worker.start()
        caddy_env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
        caddy_env.update(
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
        for i in range(len(self.workers)):
            self.wait_until(self.worker_url(i) + "/readyz", self.workers[i])
        self.wait_until(self.origin + "/readyz", self.caddy)
        self.wait_until(self.production_url + "/", self.caddy)

    def wait_until(self, url: str, process: Process) -> None:
        """Poll ``url`` until it answers 200."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not process.alive:
                raise RuntimeError(f"{process.name} exited:\n{process.log()[-4000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{url} not ready in {START_TIMEOUT:.0f}s:\n{process.log()[-4000:]}")

    def close(self) -> None:
        """Stop Caddy and the workers (whatever state they are in)."""
        for process in [self.caddy, *self.workers]:
            if process is not None:
                process.stop()

    # --- helpers for tests -------------------------------------------------------------------

    def worker_url(self, i: int) -> str:
        """A worker's own address (the internal network: what Caddy proxies to)."""
        return f"http://{HOST}:{self.worker_ports[i]}"

    def stop_worker(self, i: int, sig: int = signal.SIGTERM) -> None:
        """Stop (SIGTERM) or kill (SIGKILL) one worker and make sure its port is closed."""
        self.workers[i].stop(sig)
        with pytest.raises(httpx.ConnectError):
            httpx.get(self.worker_url(i) + "/healthz", timeout=2)

    def served_by(self, request_id: str, *, wait: float = 5.0) -> set[int]:
        """The workers whose access log has a request with this id (waits for the log line)."""
        deadline = time.monotonic() + wait
        while True:
            found: set[int] = set()
            for i, worker in enumerate(self.workers):
                for line in worker.log().splitlines():
                    if request_id in line and '"doorstep.access"' in line:
                        entry = json.loads(line)
                        if entry.get("request_id") == request_id:
                            found.add(i)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def caddy_errors(self) -> list[dict[str, Any]]:
        """Caddy's error log entries (status and message) for requests it could not proxy."""
        assert self.caddy is not None
        entries = []
        for line in self.caddy.log().splitlines():
            if '"http.log.error"' in line:
                entry = json.loads(line)
                entries.append({"status": entry.get("status"), "msg": entry.get("msg", "")})
        return entries

    def server_errors(self) -> list[str]:
        """Log lines of every worker that show a 5xx answer or a traceback."""
        problems = []
        for worker in self.workers:
            for line in worker.log().splitlines():
                failed = "Traceback" in line or '"level": "ERROR"' in line
                answered_5xx = '"doorstep.access"' in line and '"status": 5' in line
                if failed or (answered_5xx and '"status": 503' not in line):
                    problems.append(f"{worker.name}: {line[:500]}")
        return problems

    async def new_officer(self) -> tuple[str, str]:
        """``doorstep create-officer`` and ``doorstep enrol-code``: (collar, one-time code)."""
        self.officers += 1
        collar = f"D{os.getpid() % 1000:03d}{self.public_port}{self.officers}"
        env = base_env(self.database_url)
        await asyncio.to_thread(
            cli,
            "create-officer",
            "--collar",
            collar,
            "--name",
            f"PC Deploy {collar}",
            "--role",
            "officer",
            "--team",
            "Deploy Response A",
            "--area",
            "Deploy Area",
            env=env,
        )
        out = await asyncio.to_thread(cli, "enrol-code", collar, env=env)
        return collar, out.strip().splitlines()[-1]

    def browser(self, **kwargs: Any) -> httpx.AsyncClient:
        """A browser on the public origin: its own cookie jar, Origin on every request."""
        return httpx.AsyncClient(
            base_url=self.origin,
            headers={"Origin": self.origin},
            timeout=httpx.Timeout(60.0),
            **kwargs,
        )


def start_stack(database_url: str, workdir: Path, **settings: str) -> Iterator[Stack]:
    """Start a stack, yield it, and always stop it."""
    stack = Stack(database_url, workdir, **settings)
    try:
        stack.start()
        yield stack
    finally:
        stack.close()


@pytest.fixture
def stack(deploy_database: str, tmp_path: Path) -> Iterator[Stack]:
    """Two workers behind Caddy, fresh for this test (the database is shared by the run)."""
    yield from start_stack(deploy_database, tmp_path)


@pytest.fixture(scope="module")
def shared_stack(deploy_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Two workers behind Caddy for tests that stop nothing."""
    yield from start_stack(deploy_database, tmp_path_factory.mktemp("stack"))


@pytest.fixture
def busy_stack(deploy_database: str, tmp_path: Path) -> Iterator[Stack]:
    """Two workers that shed load beyond two requests in flight each."""
    yield from start_stack(deploy_database, tmp_path, DOORSTEP_MAX_IN_FLIGHT="2")


SignIn = Callable[[Stack], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def sign_in() -> AsyncIterator[SignIn]:
    """Create an officer and enrol a passkey through Caddy: a signed-in browser (closed after)."""
    made: list[httpx.AsyncClient] = []

    async def make(stack: Stack) -> httpx.AsyncClient:
        collar, code = await stack.new_officer()
        client = stack.browser()
        made.append(client)
        response = await enrol(
            client, SoftAuthenticator(), collar, code, origin=stack.origin, label="Deploy phone"
        )
        assert response.status_code == 200, response.text
        return client

    yield make
    for client in made:
        await client.aclose()


def gzip_json(body: Any) -> bytes:
    """A JSON body compressed as the app sends it."""
    return gzip.compress(json.dumps(body, separators=(",", ":")).encode(), mtime=0)


async def post_json(
    client: httpx.AsyncClient, path: str, body: Any, *, request_id: str | None = None
) -> httpx.Response:
    """POST gzip-compressed JSON, optionally with our own X-Request-Id."""
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    if request_id:
        headers["X-Request-Id"] = request_id
    return await client.post(path, content=gzip_json(body), headers=headers)


async def send_raw(
    base_url: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    *,
    stop_after: int | None = None,
) -> int | None:
    """HTTP/1.1 by hand, for what a client library will not do.

    Sends ``Expect: 100-continue`` and the body only after ``100 Continue``, as curl does, so a
    refusal on the head alone (413 on Content-Length) is heard rather than lost in a reset;
    returns the final status, or 0 if the connection was reset before one arrived. With
    ``stop_after``, writes that many body bytes at once and hangs up, as a phone losing signal
    mid-request does; returns None.
    """
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    if stop_after is None:
        head.append("Expect: 100-continue")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))

    async def pump(data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            for i in range(0, len(data), 64 * 1024):
                writer.write(data[i : i + 64 * 1024])
                await writer.drain()

    try:
        if stop_after is not None:
            await pump(body[:stop_after])
            return None

        async def final_status() -> int:
            """The first non-1xx status (Caddy may relay the worker's 100 Continue too)."""
            while True:
                status = int((await reader.readline()).split()[1])
                if status >= 200:
                    return status
                while (await reader.readline()).strip():
                    pass  # the 1xx answer's headers
                if not pumping:
                    pumping.append(asyncio.create_task(pump(body)))

        pumping: list[asyncio.Task[None]] = []
        try:
            async with asyncio.timeout(60):
                return await final_status()
        finally:
            for task in pumping:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    except (ConnectionError, IndexError):
        return 0
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def cookie_header(client: httpx.AsyncClient) -> str:
    """The browser's cookies as a Cookie header (for clients that keep no jar)."""
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def request_id(label: str) -> str:
    """A request id a test can find again in the workers' logs."""
    return f"deploy-{label}-{secrets.token_hex(6)}"
