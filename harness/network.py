"""A phone's signal, switched through the DevTools protocol: on the page AND on every service
worker of the origin (conditions set on a page do not cover its worker, which does the app's
background sync), including workers that start later.

Worker targets are attached through a browser-level CDP session without flattening (Playwright's
``CDPSession`` cannot address a flattened child session), as ``bench/pwa_bench.py`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from playwright.async_api import Browser, CDPSession, Page
from playwright.async_api import Error as PlaywrightError

OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
ONLINE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


class Signal:
    """Network conditions for one page and its origin's service workers."""

    def __init__(
        self, page: Page, page_session: CDPSession, browser_session: CDPSession, origin: str
    ) -> None:
        self.tab = page
        self.page = page_session
        self.cdp = browser_session
        self.origin = origin
        self.conditions: dict[str, Any] = ONLINE
        self.workers: dict[str, str] = {}  # targetId -> sessionId
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.cdp.on("Target.receivedMessageFromTarget", self._message)
        self.cdp.on("Target.targetCreated", self._created)
        self.cdp.on("Target.targetInfoChanged", self._created)

    @classmethod
    async def of(cls, browser: Browser, page: Page, origin: str) -> Signal:
        """Start watching ``page`` and the origin's service workers."""
        page_session = await page.context.new_cdp_session(page)
        await page_session.send("Network.enable")
        signal = cls(page, page_session, await browser.new_browser_cdp_session(), origin)
        await signal.cdp.send("Target.setDiscoverTargets", {"discover": True})
        for info in (await signal.cdp.send("Target.getTargets"))["targetInfos"]:
            await signal._attach(info)
        return signal

    async def offline(self) -> None:
        await self.set(OFFLINE)

    async def online(self) -> None:
        """Signal back, and the page told so at once (as a phone's radio coming back does)."""
        await self.set(ONLINE)
        await self.tab.evaluate("window.dispatchEvent(new Event('online'))")

    async def set(self, conditions: dict[str, Any]) -> None:
        """Apply ``conditions`` to the page and every worker, now and as workers start."""
        self.conditions = conditions
        await self.page.send("Network.emulateNetworkConditions", conditions)
        for session_id in list(self.workers.values()):
            if session_id:
                await self._emulate(session_id)

    async def _call(self, session_id: str, method: str, params: dict[str, Any]) -> Any:
        self._next += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next] = future
        message = json.dumps({"id": self._next, "method": method, "params": params})
        await self.cdp.send(
            "Target.sendMessageToTarget", {"sessionId": session_id, "message": message}
        )
        answer = await asyncio.wait_for(future, 10)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    async def _emulate(self, session_id: str) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, PlaywrightError):
            await self._call(session_id, "Network.enable", {})
            await self._call(session_id, "Network.emulateNetworkConditions", self.conditions)

    async def _attach(self, info: dict[str, Any]) -> None:
        if info.get("type") != "service_worker" or not info.get("url", "").startswith(self.origin):
            return
        if info["targetId"] in self.workers:
            return
        self.workers[info["targetId"]] = ""
        try:
            answer = await self.cdp.send(
                "Target.attachToTarget", {"targetId": info["targetId"], "flatten": False}
            )
        except PlaywrightError:  # the worker stopped meanwhile
            self.workers.pop(info["targetId"], None)
            return
        self.workers[info["targetId"]] = str(answer["sessionId"])
        await self._emulate(str(answer["sessionId"]))

    def _created(self, event: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._attach(event["targetInfo"]))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _message(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        future = self._pending.pop(message.get("id", -1), None)
        if future is not None and not future.done():
            future.set_result(message)
