"""Real browser tests: Debian's Chromium driven by Playwright against a real `doorstep serve`.

Passkeys come from Chromium's CDP virtual authenticator (ctap2, internal, resident key, user
verified, PRF), offline is `context.set_offline(True)`, and accessibility is checked with
axe-core injected into the page. Never `playwright install`: the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
PWA_DIST = ROOT / "pwa" / "dist"
AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A running `doorstep serve` with its own SQLite database and photo folder.

    ``stop()`` and ``start()`` take the server off the network and back on the same port:
    with the page set offline too, nothing (not even the service worker, which Playwright's
    offline emulation does not cover) can reach it, as when a phone has no signal.
    """

    url: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def doorstep(self, *args: str) -> str:
        """Run a `doorstep` subcommand against this server's database; return its stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def enrolment_code(self, collar: str) -> str:
        """A fresh one-time enrolment code (the last line of `doorstep enrol-code`)."""
        return self.doorstep("enrol-code", collar).strip().splitlines()[-1]

    def start(self) -> None:
        """Serve, and wait until /readyz answers."""
        sink = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        pytest.fail("doorstep serve did not become ready:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        """Stop serving (the port refuses connections until ``start``)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Migrate, seed the demo, and serve the API plus the built app on a free port."""
    if not (PWA_DIST / "index.html").is_file():
        pytest.fail("pwa/dist is not built: `make test` builds it (npm run build in pwa/)")
    port = _free_port()
    url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "DOORSTEP_DATABASE_URL": f"sqlite://{tmp_path / 'doorstep.sqlite3'}",
        "DOORSTEP_PHOTO_DIR": str(tmp_path / "photos"),
        "DOORSTEP_PWA_DIR": str(PWA_DIST),
        "DOORSTEP_ORIGIN": url,
        "DOORSTEP_RP_ID": "localhost",
        "DOORSTEP_LOG_LEVEL": "WARNING",
    }
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run(
            [sys.executable, "-m", "server.cli", *command],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
            cwd=ROOT,
        )
    server = LiveServer(url, port, env, tmp_path / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless."""
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


async def add_virtual_authenticator(context: BrowserContext, page: Page, prf: bool = True) -> str:
    """A platform passkey authenticator (resident keys, user verification, PRF) for the page."""
    cdp = await context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    result = await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
                "hasPrf": prf,
            }
        },
    )
    return str(result["authenticatorId"])


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious or critical axe-core violations on the page as it is now."""
    if not AXE.is_file():
        pytest.fail("axe-core is not installed in pwa/node_modules (npm ci in pwa/)")
    # Evaluated through the DevTools protocol, so the app's strict CSP stays on for the test.
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text() + "\n;true")
    result: dict[str, Any] = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-browser journeys (and the two-worker deploy tests, which stop workers behind Caddy)
    run against timers, a service worker and live servers on a small
    shared machine: a journey that fails is run again (up to twice) and reported as a rerun,
    so timing noise does not hide a real failure behind a red build, nor a real failure pass."""
    for item in items:
        if "tests/browser/" in str(item.fspath) or "tests/deploy/" in str(item.fspath):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=2))
