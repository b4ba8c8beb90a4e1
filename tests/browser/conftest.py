"""Real browser tests: Debian's Chromium driven by Playwright against a real `doorstep serve`.

Passkeys come from Chromium's CDP virtual authenticator (ctap2, internal, resident key, user
verified, PRF), offline is `context.set_offline(True)`, and accessibility is checked with
axe-core injected into the page (harness.browser; the server is harness.server's LiveServer).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from harness.browser import chromium
from harness.server import LiveServer, served_demo


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The demo, migrated, seeded and served (API and built app) for this test alone."""
    with served_demo(tmp_path) as server:
        yield server


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless."""
    async with chromium() as instance:
        yield instance


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-browser journeys (and the two-worker deploy tests, which stop workers behind Caddy)
    run against timers, a service worker and live servers on a small
    shared machine: a journey that fails is run again (up to twice) and reported as a rerun,
    so timing noise does not hide a real failure behind a red build, nor a real failure pass."""
    for item in items:
        if "tests/browser/" in str(item.fspath) or "tests/deploy/" in str(item.fspath):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=2))
