"""The officer's app in Chromium: shell size, offline start (CPU 4x), sync on a slow link.

    .venv/bin/python bench/pwa_bench.py [--quick] [--runs 5] [--cpu 4] [--photos 5]
                                        [--photo-bytes 3000000]

``--quick`` is 5 photos of 300 KB and 3 runs (about 30 s); the full run takes about 4 minutes,
most of it the 15 MB upload at 750 kbps. Needs the built app (``cd pwa && npm ci && npm run
build``, or ``make setup``) and Debian's Chromium at /usr/bin/chromium (never ``playwright
install``). Three figures:

1. **Shell size**: gzip -9 bytes of ``dist/index.html`` + ``assets/*.js`` + ``assets/*.css``
   (chunks only reached by ``import()`` are marked lazy and also left out of a second total),
   and separately of the service worker (``sw.js``). Shown beside the figure pwa/README.md
   states (about 55 KB).
2. **Offline start**: ``doorstep serve`` (SQLite, demo seed) behind a byte-counting TCP proxy
   on ``localhost``; the browser enrols with a CDP virtual passkey, then goes offline (CDP
   ``Network.emulateNetworkConditions`` offline on the page and on the service worker, and the
   server stopped) with ``Emulation.setCPUThrottlingRate`` 4 on the page (service worker
   targets have no Emulation domain: the worker runs unthrottled). Timed from navigation
   start (``performance.now()`` of the new document) to *interactive*: "Start visit" is in the
   DOM, enabled and laid out, and the page then got through one more frame and task (the click
   handler would run). Median of ``--runs`` navigations, with the service worker stopped first
   (cold: the app opened from the home screen) and running (warm). Baseline, same run and same
   throttling: a navigation to ``/icons/icon.svg``, also served from the service worker's
   precache, to its load event: the floor for any page opened offline from that cache.
3. **Sync on a slow link**: offline, a visit with ``--photos`` random-noise JPEGs of about
   ``--photo-bytes`` each is captured (no CPU throttling from here on). Then the server starts,
   and at t0 the page and every service worker target get 1.6 Mbps down, 750 kbps up, 150 ms
   latency (CDP, DevTools throttling: the latency is added once per request, bytes are paced in
   each direction). Timed until the sync bar shows 0 changes and 0 photos waiting. The *physical
   limit* of that link for the same work: bytes up / 750 kbps + bytes down / 1.6 Mbps + round
   trips x 150 ms, where the bytes are everything the proxy carried in each direction (HTTP
   headers and bodies) and the round trips are the longest chain of HTTP requests that did not
   overlap in time (CDP Network events; requests in parallel share a round trip). TCP handshakes
   are not counted (DevTools throttling does not delay them). The ratio measured / limit is the
   figure: 1.0 would be a perfect client on that link.

After the sync, the server must hold the visit with every photo verified and byte-identical.
Exit status 1 if a check fails, 2 on a setup problem.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ and harness/

from playwright.async_api import (
    BrowserContext,
    CDPSession,
    Page,
    expect,
)
from playwright.async_api import Error as PlaywrightError

from bench.common import BenchFailure
from harness import ROOT
from harness.browser import (
    CHROMIUM,
    add_virtual_authenticator,
    chromium,
    type_enrolment_code,
)
from harness.images import noisy_jpeg
from harness.ports import HOST, free_port
from harness.server import PWA_DIST as DIST
from harness.server import LiveServer

COLLAR = "1234"  # PC Sam Patel in the demo seed
README_SHELL_KB = 55  # "The shell is about 55 KB gzip (JS + CSS + HTML)" (pwa/README.md)
CPU_THROTTLE = 4
DOWN_BPS = 1_600_000  # bits per second
UP_BPS = 750_000
RTT_MS = 150
SLOW_LINK = {
    "offline": False,
    "latency": RTT_MS,
    "downloadThroughput": DOWN_BPS / 8,  # bytes per second
    "uploadThroughput": UP_BPS / 8,
}
OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
VIEWPORT = {"width": 360, "height": 780}
CRIME_REFERENCE = "22/70001/26"
RUN_TIMEOUT = 900.0

# Runs in every document before its own scripts: notes when "Start visit" becomes usable.
INTERACTIVE_PROBE = """
(() => {
  if (document.contentType !== "text/html") return;
  const found = () => {
    for (const b of document.querySelectorAll("button")) {
      if (b.textContent.trim() === "Start visit" && !b.disabled) return b;
    }
    return null;
  };
  const observer = new MutationObserver(() => {
    if (window.__benchVisible !== undefined) return;
    const button = found();
    if (!button || button.getBoundingClientRect().height === 0) return;
    window.__benchVisible = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => {
      window.__benchInteractive = performance.now();
    }, 0));
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();
"""

NAVIGATION_TIMES = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    workerStart: nav ? nav.workerStart : null,
    responseEnd: nav ? nav.responseEnd : null,
    domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
    load: nav ? nav.loadEventEnd : null,
    fcp: fcp ? fcp.startTime : null,
    visible: window.__benchVisible ?? null,
    interactive: window.__benchInteractive ?? null,
  };
}
"""

SYNCED = """
() => {
  const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim();
  return text("changes-waiting") === "0" && text("photos-waiting") === "0";
}
"""


# --- the shell -------------------------------------------------------------------------------


def gzip_size(path: Path) -> int:
    """Bytes of the file after gzip -9."""
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def loaded_at_start() -> set[str]:
    """Assets index.html loads, with the JS chunks they import statically (not ``import()``)."""
    html = (DIST / "index.html").read_text()
    todo = [m.lstrip("/") for m in re.findall(r'(?:src|href)="(/?assets/[^"]+)"', html)]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or not (DIST / name).is_file():
            continue
        seen.add(name)
        if name.endswith(".js"):
            code = (DIST / name).read_text(errors="replace")
            for ref in re.findall(r'(?:\bfrom|\bimport)\s*["\']\./([^"\']+)["\']', code):
                todo.append(f"assets/{ref}")
    return seen


def shell_sizes() -> list[tuple[str, int, int, bool]]:
    """(name, raw bytes, gzip bytes, loaded at start) of index.html, every JS and CSS asset,
    and sw.js."""
    files = [DIST / "index.html"]
    files += sorted((DIST / "assets").glob("*.js")) + sorted((DIST / "assets").glob("*.css"))
    eager = loaded_at_start() | {"index.html"}
    rows = []
    for f in files:
        name = str(f.relative_to(DIST))
        rows.append((name, f.stat().st_size, gzip_size(f), name in eager))
    sw = DIST / "sw.js"
    rows.append(("sw.js", sw.stat().st_size, gzip_size(sw), False))
    return rows


# --- photos ----------------------------------------------------------------------------------


def make_photos(count: int, target: int, folder: Path) -> list[Path]:
    """``count`` noise JPEGs of about ``target`` bytes each (4:3, size found by one probe)."""
    probe = len(noisy_jpeg(0, (400, 300)))
    scale = (target / probe) ** 0.5
    width, height = max(16, round(400 * scale)), max(12, round(300 * scale))
    paths = []
    for n in range(count):
        path = folder / f"photo-{n}.jpg"
        path.write_bytes(noisy_jpeg(n + 1, (width, height)))
        paths.append(path)
    return paths


# --- the server and the proxy ----------------------------------------------------------------


class CountingProxy:
    """TCP proxy from the browser's origin port to the server, counting bytes each way.

    While the server is stopped, connections are accepted and closed at once (the browser
    sees a network error, as with no signal).
    """

    def __init__(self, port: int, backend_port: int) -> None:
        self.port = port
        self.backend_port = backend_port
        self.up = 0  # browser -> server
        self.down = 0  # server -> browser
        self.connections = 0  # connections that carried bytes since the last reset
        self._used: set[int] = set()
        self._next = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen on 127.0.0.1:port."""
        self.server = await asyncio.start_server(self._client, HOST, self.port)

    async def close(self) -> None:
        """Stop listening."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def reset(self) -> None:
        """Start counting from zero."""
        self.up = self.down = self.connections = 0
        self._used.clear()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                HOST, self.backend_port
            )
        except OSError:
            writer.close()
            return
        self._next += 1
        await asyncio.gather(
            self._pump(reader, upstream_writer, self._next, up=True),
            self._pump(upstream_reader, writer, self._next, up=False),
        )

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        connection: int,
        *,
        up: bool,
    ) -> None:
        try:
            while data := await reader.read(65536):
                if connection not in self._used:
                    self._used.add(connection)
                    self.connections = len(self._used)
                if up:
                    self.up += len(data)
                else:
                    self.down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


# --- DevTools protocol -----------------------------------------------------------------------


class ServiceWorkers:
    """CDP sessions to every service worker of the origin, now and as they (re)start.

    Throttling set on the page does not cover other targets, so the same network conditions
    (and the same CPU rate, where the worker target supports it) go to each worker target too.
    Sessions are attached through a browser-level session without flattening (Playwright's
    CDPSession cannot address a flattened child session).
    """

    def __init__(self, browser_session: CDPSession, origin: str) -> None:
        self.cdp = browser_session
        self.origin = origin
        self.sessions: dict[str, str] = {}  # targetId -> sessionId
        self.network: dict[str, Any] | None = None
        self.cpu_rate = 1
        self.cpu_supported: bool | None = None
        self.requests: list[dict[str, Any]] = []  # Network.requestWillBeSent params
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next_id = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.cdp.on("Target.receivedMessageFromTarget", self._message)
        self.cdp.on("Target.targetCreated", self._target)
        self.cdp.on("Target.targetInfoChanged", self._target)
        self.cdp.on("Target.detachedFromTarget", self._detached)

    async def start(self) -> None:
        """Discover targets and attach to the workers already running."""
        await self.cdp.send("Target.setDiscoverTargets", {"discover": True})
        for info in (await self.cdp.send("Target.getTargets"))["targetInfos"]:
            await self._attach(info)

    async def call(self, session_id: str, method: str, params: dict[str, Any] | None = None) -> Any:
        """Send a command to one worker session; its result (raises on a CDP error)."""
        self._next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        message = {"id": self._next_id, "method": method, "params": params or {}}
        await self.cdp.send(
            "Target.sendMessageToTarget", {"sessionId": session_id, "message": json.dumps(message)}
        )
        answer = await asyncio.wait_for(future, 10)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    async def set_network(self, conditions: dict[str, Any]) -> None:
        """Apply network conditions to every worker now and to any that starts later."""
        self.network = conditions
        for session_id in list(self.sessions.values()):
            with contextlib.suppress(RuntimeError, TimeoutError):
                await self.call(session_id, "Network.emulateNetworkConditions", conditions)

    async def set_cpu(self, rate: int) -> None:
        """CPU throttling for the workers (if their targets support it)."""
        self.cpu_rate = rate
        for session_id in list(self.sessions.values()):
            await self._cpu(session_id)

    async def _cpu(self, session_id: str) -> None:
        try:
            await self.call(session_id, "Emulation.setCPUThrottlingRate", {"rate": self.cpu_rate})
            self.cpu_supported = True
        except (RuntimeError, TimeoutError):
            self.cpu_supported = False

    async def _attach(self, info: dict[str, Any]) -> None:
        if info.get("type") != "service_worker" or not info.get("url", "").startswith(self.origin):
            return
        if info["targetId"] in self.sessions:
            return
        self.sessions[info["targetId"]] = ""
        try:
            answer = await self.cdp.send(
                "Target.attachToTarget", {"targetId": info["targetId"], "flatten": False}
            )
        except PlaywrightError:  # the worker stopped meanwhile
            self.sessions.pop(info["targetId"], None)
            return
        session_id = str(answer["sessionId"])
        self.sessions[info["targetId"]] = session_id
        with contextlib.suppress(RuntimeError, TimeoutError):
            await self.call(session_id, "Network.enable")
            if self.network is not None:
                await self.call(session_id, "Network.emulateNetworkConditions", self.network)
            if self.cpu_rate != 1:
                await self._cpu(session_id)

    def _target(self, event: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._attach(event["targetInfo"]))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _detached(self, event: dict[str, Any]) -> None:
        for target, session in list(self.sessions.items()):
            if session == event.get("sessionId"):
                del self.sessions[target]

    def _message(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            future = self._pending.pop(message["id"], None)
            if future is not None and not future.done():
                future.set_result(message)
        elif message.get("method") == "Network.requestWillBeSent":
            self.requests.append(message["params"])


@dataclass
class RequestLog:
    """HTTP requests of the page as CDP reports them: (start, end) in CDP seconds, by id."""

    started: dict[str, tuple[float, str, str]] = field(default_factory=dict)
    ended: dict[str, float] = field(default_factory=dict)
    failed: int = 0
    recording: bool = False

    def attach(self, cdp: CDPSession) -> None:
        """Listen to the page's Network events."""
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._done)
        cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event: dict[str, Any]) -> None:
        request = event["request"]
        if self.recording and request["url"].startswith("http"):
            self.started[event["requestId"]] = (
                float(event["timestamp"]),
                request["method"],
                request["url"],
            )

    def _done(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.started:
            self.ended[event["requestId"]] = float(event["timestamp"])

    def _failed(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.started:
            self.failed += 1
            self.ended[event["requestId"]] = float(event["timestamp"])

    def sequential_round_trips(self) -> int:
        """The most requests that ran one after another (no two overlapping in time)."""
        intervals = sorted(
            (
                (start, self.ended[rid])
                for rid, (start, _, _) in self.started.items()
                if rid in self.ended
            ),
            key=lambda se: se[1],
        )
        count, last_end = 0, float("-inf")
        for start, end in intervals:
            if start >= last_end:
                count += 1
                last_end = end
        return count

    def by_kind(self) -> dict[str, int]:
        """Request counts by method and path prefix (for the report)."""
        kinds: dict[str, int] = {}
        for _, method, url in self.started.values():
            path = "/" + url.split("/", 3)[-1]
            if path.startswith("/api/uploads"):
                path = "/api/uploads/..." if path.count("/") > 2 else "/api/uploads"
            key = f"{method} {path.split('?')[0]}"
            kinds[key] = kinds.get(key, 0) + 1
        return kinds


# --- the measured parts ----------------------------------------------------------------------


async def enrol(page: Page, server: LiveServer) -> None:
    """Enrol this browser's passkey and wait for the service worker to hold the shell.

    (The worker does not claim the page that installed it: the next navigation is controlled.)
    """
    await type_enrolment_code(page, server.url, COLLAR, server.enrolment_code(COLLAR))
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=30_000)
    await page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")


async def navigate(page: Page, url: str, *, app: bool) -> dict[str, float | None]:
    """One navigation; its timings (ms from navigation start)."""
    await page.goto(url, wait_until="load", timeout=60_000)
    if app:
        await page.wait_for_function(
            "() => window.__benchInteractive !== undefined", timeout=60_000
        )
    # Paint timing entries arrive with the frame's presentation, a little after the fact.
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function(
            "() => performance.getEntriesByName('first-contentful-paint').length > 0",
            timeout=10_000,
        )
    times: dict[str, float | None] = await page.evaluate(NAVIGATION_TIMES)
    return times


async def measure_start(
    page: Page, cdp: CDPSession, origin: str, runs: int
) -> dict[str, list[dict[str, float | None]]]:
    """Offline navigations under CPU throttling: the app and the baseline, cold and warm."""
    results: dict[str, list[dict[str, float | None]]] = {
        "app cold": [],
        "app warm": [],
        "baseline cold": [],
        "baseline warm": [],
    }
    baseline = origin + "/icons/icon.svg"
    app = origin + "/"
    await cdp.send("ServiceWorker.enable")
    await page.goto(app)  # one untimed navigation offline first
    await page.wait_for_function("() => window.__benchInteractive !== undefined", timeout=60_000)
    for _ in range(runs):
        await cdp.send("ServiceWorker.stopAllWorkers")
        results["baseline cold"].append(await navigate(page, baseline, app=False))
        results["baseline warm"].append(await navigate(page, baseline, app=False))
        await cdp.send("ServiceWorker.stopAllWorkers")
        results["app cold"].append(await navigate(page, app, app=True))
        results["app warm"].append(await navigate(page, app, app=True))
    return results


async def capture_visit(page: Page, photos: list[Path]) -> None:
    """Offline: start a visit, give it a crime reference and add the photos."""
    await page.get_by_role("button", name="Start visit").click()
    await page.get_by_label("Crime reference").fill(CRIME_REFERENCE)
    await page.get_by_label("Crime reference").blur()
    await (
        page.get_by_role("navigation", name="Visit sections")
        .get_by_role("link", name="Photos")
        .first.click()
    )
    cards = page.locator(".photo-card, [data-testid=photo-card], figure")
    for n, path in enumerate(photos, start=1):
        await page.locator("#photo-input").set_input_files(str(path))
        await expect(cards).to_have_count(n, timeout=60_000)
    await expect(page.get_by_test_id("photos-waiting")).to_have_text(
        str(len(photos)), timeout=60_000
    )


@dataclass
class SyncResult:
    """What the slow-link sync took and carried."""

    seconds: float
    up: int
    down: int
    connections: int
    requests: int
    round_trips: int
    failed: int
    kinds: dict[str, int]
    worker_requests: int

    @property
    def limit(self) -> float:
        """Seconds the link needs at best for these bytes and round trips."""
        return self.up * 8 / UP_BPS + self.down * 8 / DOWN_BPS + self.round_trips * RTT_MS / 1000


async def measure_sync(
    page: Page,
    cdp: CDPSession,
    workers: ServiceWorkers,
    proxy: CountingProxy,
    server: LiveServer,
    requests: RequestLog,
    limit_seconds: float,
) -> SyncResult:
    """Server back, then at t0 the slow link instead of no link; until nothing is waiting."""
    await asyncio.to_thread(server.start)
    await page.wait_for_timeout(500)
    proxy.reset()
    requests.recording = True
    worker_before = len(workers.requests)
    t0 = time.monotonic()
    await workers.set_network(SLOW_LINK)
    await cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    try:
        await page.wait_for_function(SYNCED, polling=100, timeout=limit_seconds * 1000)
    except PlaywrightError as exc:
        bar = await page.locator(".sync-bar").inner_text()
        raise BenchFailure(
            f"the sync did not finish in {limit_seconds:.0f} s (sync bar: {bar})"
        ) from exc
    seconds = time.monotonic() - t0
    requests.recording = False
    return SyncResult(
        seconds=seconds,
        up=proxy.up,
        down=proxy.down,
        connections=proxy.connections,
        requests=len(requests.started),
        round_trips=requests.sequential_round_trips(),
        failed=requests.failed,
        kinds=requests.by_kind(),
        worker_requests=len(workers.requests) - worker_before,
    )


# --- report ----------------------------------------------------------------------------------


def median(rows: list[dict[str, float | None]], key: str) -> float:
    """Median of one timing over the runs (NaN when the browser did not report it)."""
    values = [v for row in rows if (v := row.get(key)) is not None]
    return statistics.median(values) if values else float("nan")


def report(
    args: argparse.Namespace,
    sizes: list[tuple[str, int, int, bool]],
    start: dict[str, list[dict[str, float | None]]],
    sync: SyncResult,
    photo_sizes: list[int],
    worker_cpu: bool | None,
) -> None:
    """Print the parameters and the figures."""
    print("Doorstep PWA benchmark (Chromium " + args.browser_version + ")")
    print(
        f"  shell: {DIST.relative_to(ROOT)}; offline start: {args.runs} runs per case, "
        f"CPU throttling {args.cpu}x (page; service worker: "
        f"{'yes' if worker_cpu else 'not supported by its target'}), viewport "
        f"{VIEWPORT['width']}x{VIEWPORT['height']}"
    )
    print(
        f"  link: {DOWN_BPS / 1e6:g} Mbps down, {UP_BPS / 1e3:g} kbps up, {RTT_MS} ms RTT "
        "(CDP Network.emulateNetworkConditions on the page and the service worker)"
    )
    print(
        f"  visit: {len(photo_sizes)} photos, {sum(photo_sizes):,} bytes "
        f"({min(photo_sizes):,}..{max(photo_sizes):,} each), random-noise JPEG q90"
    )
    print()
    print("App shell (gzip -9)                    raw bytes    gzip bytes")
    shell = [row for row in sizes if row[0] != "sw.js"]
    for name, raw, packed, eager in sizes:
        note = "" if name == "sw.js" or eager else "  (lazy: not loaded at start)"
        print(f"  {name:<36} {raw:>10,} {packed:>12,}{note}")
    total_raw, total_gz = sum(r[1] for r in shell), sum(r[2] for r in shell)
    print(f"  {'shell total (HTML + JS + CSS)':<36} {total_raw:>10,} {total_gz:>12,}")
    start_raw = sum(r[1] for r in shell if r[3])
    start_gz = sum(r[2] for r in shell if r[3])
    if start_gz != total_gz:
        print(f"  {'  of which loaded at start':<36} {start_raw:>10,} {start_gz:>12,}")
    print(
        f"  shell vs the README's 'about {README_SHELL_KB} KB': "
        f"{total_gz / 1000:.1f} KB = {total_gz / (README_SHELL_KB * 1000):.2f}x"
    )
    print()
    print(f"Offline start from the service worker cache, CPU {args.cpu}x (median ms)")
    header = (
        f"  {'case':<14} {'SW start':>9} {'HTML':>8} {'DCL':>8} {'FCP':>8} "
        f"{'button':>8} {'interactive':>12} {'vs baseline':>12}"
    )
    print(header)
    for temp in ("cold", "warm"):
        base = median(start[f"baseline {temp}"], "load")
        for case in (f"app {temp}", f"baseline {temp}"):
            rows = start[case]
            end = median(rows, "interactive") if case.startswith("app") else median(rows, "load")
            print(
                f"  {case:<14} {median(rows, 'workerStart'):>9.0f} "
                f"{median(rows, 'responseEnd'):>8.0f} {median(rows, 'domContentLoaded'):>8.0f} "
                f"{median(rows, 'fcp'):>8.0f} {median(rows, 'visible'):>8.0f} "
                f"{end:>12.0f} {end / base:>11.2f}x"
            )
    print(
        "  (app: navigation start -> 'Start visit' usable; baseline: /icons/icon.svg from the"
        " same precache -> load event)"
    )
    print()
    print("Sync from going online to nothing waiting, over the emulated link")
    print(f"  measured                    {sync.seconds:>10.1f} s")
    print(
        f"  physical limit              {sync.limit:>10.1f} s  = {sync.up:,} B up / "
        f"{UP_BPS / 1e3:g} kbps ({sync.up * 8 / UP_BPS:.1f} s) + {sync.down:,} B down / "
        f"{DOWN_BPS / 1e6:g} Mbps ({sync.down * 8 / DOWN_BPS:.1f} s) + {sync.round_trips} "
        f"round trips x {RTT_MS} ms ({sync.round_trips * RTT_MS / 1000:.1f} s)"
    )
    print(f"  measured / limit            {sync.seconds / sync.limit:>10.2f}x")
    payload = sum(photo_sizes)
    print(
        f"  bytes up / photo bytes      {sync.up / payload:>10.3f}x  "
        f"({sync.up - payload:,} B of requests beyond the photos themselves)"
    )
    print(
        f"  HTTP requests {sync.requests} ({sync.failed} failed), longest sequential chain "
        f"{sync.round_trips}, TCP connections {sync.connections}, requests seen by the "
        f"service worker target {sync.worker_requests}"
    )
    print("  " + ", ".join(f"{k} x{v}" for k, v in sorted(sync.kinds.items())))
    if sync.seconds < sync.limit:
        print("  WARNING: faster than the link allows: the emulation did not throttle everything")


# --- main ------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, folder: Path) -> int:
    """Set up, measure, report; the server, the proxy and the browser are always stopped."""
    sizes = shell_sizes()
    photos = make_photos(args.photos, args.photo_bytes, folder)
    photo_sizes = [p.stat().st_size for p in photos]
    proxy_port = free_port()
    origin = f"http://localhost:{proxy_port}"
    server = LiveServer(folder, origin=origin)
    await asyncio.to_thread(server.seed_demo)
    proxy = CountingProxy(proxy_port, server.port)
    await proxy.start()
    await asyncio.to_thread(server.start)
    status = 0
    try:
        async with chromium() as browser:
            args.browser_version = browser.version
            context: BrowserContext = await browser.new_context(viewport=VIEWPORT)
            await context.add_init_script(INTERACTIVE_PROBE)
            page = await context.new_page()
            await add_virtual_authenticator(context, page)
            cdp = await context.new_cdp_session(page)
            await cdp.send("Network.enable")
            requests = RequestLog()
            requests.attach(cdp)
            workers = ServiceWorkers(await browser.new_browser_cdp_session(), origin)
            await workers.start()
            async with asyncio.timeout(args.timeout):
                await enrol(page, server)

                # No signal: page and service worker offline, and the server gone.
                await workers.set_network(OFFLINE)
                await cdp.send("Network.emulateNetworkConditions", OFFLINE)
                await asyncio.to_thread(server.stop)
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.cpu})
                await workers.set_cpu(args.cpu)
                start = await measure_start(page, cdp, origin, args.runs)
                worker_cpu = workers.cpu_supported
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                await workers.set_cpu(1)

                await capture_visit(page, photos)
                sync = await measure_sync(
                    page, cdp, workers, proxy, server, requests, args.sync_timeout
                )
            check_server(server, photos)
            report(args, sizes, start, sync, photo_sizes, worker_cpu)
    except BenchFailure as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        print("server log tail:\n" + server.log_tail(), file=sys.stderr)
        status = 1
    except PlaywrightError as exc:
        print(f"FAILED in the browser: {exc}", file=sys.stderr)
        print("server log tail:\n" + server.log_tail(), file=sys.stderr)
        status = 1
    except TimeoutError:
        print(f"FAILED: the run took longer than {args.timeout:.0f} s", file=sys.stderr)
        status = 1
    finally:
        await asyncio.to_thread(server.stop)
        await proxy.close()
    return status


def check_server(server: LiveServer, photos: list[Path]) -> None:
    """Every photo arrived, verified, byte for byte."""
    expected = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in photos)
    held = server.query(
        "SELECT p.sha256, p.status FROM photo p JOIN visit v ON v.id = p.visit_id"
        " WHERE v.reference_crime_reference = ? AND p.deleted = 0",
        CRIME_REFERENCE,
    )
    if sorted(sha for sha, _ in held) != expected:
        raise BenchFailure(f"the server holds {len(held)} photos, not the {len(expected)} sent")
    if {status for _, status in held} != {"verified"}:
        raise BenchFailure(f"photos not all verified: {held}")
    for sha in expected:
        if hashlib.sha256(server.original(sha)).hexdigest() != sha:
            raise BenchFailure(f"stored original {sha} differs from what was sent")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments (``--quick``: 5 photos of 300 KB, 3 runs)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="navigations per offline-start case")
    parser.add_argument("--cpu", type=int, default=CPU_THROTTLE, help="CPU slowdown factor")
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--photo-bytes", type=int, default=3_000_000, help="about, each")
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT, help="seconds for it all")
    parser.add_argument("--quick", action="store_true", help="5 photos of 300 KB, 3 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.photo_bytes = 3, 300_000
    if (
        args.runs < 1
        or args.photos < 1
        or args.cpu < 1
        or not 10_000 <= args.photo_bytes <= 20_000_000
    ):
        parser.error("need runs, photos and cpu >= 1, and 10 KB <= photo bytes <= 20 MB")
    # Give the sync three times what the link needs for the photo bytes, at least 2 minutes.
    args.sync_timeout = max(120.0, 3 * args.photos * args.photo_bytes * 8 / UP_BPS)
    args.browser_version = "?"
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if not (DIST / "index.html").is_file() or not (DIST / "sw.js").is_file():
        print(
            "pwa/dist is not built: run `cd pwa && npm ci && npm run build` (or `make setup`)",
            file=sys.stderr,
        )
        return 2
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="doorstep-pwa-bench-") as folder:
        try:
            return asyncio.run(run(args, Path(folder)))
        except (OSError, RuntimeError) as exc:
            print(f"setup failed: {exc}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
