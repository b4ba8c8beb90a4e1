"""Debian's Chromium driven by Playwright: a phone with a platform passkey, the app's enrolment,
and axe-core's accessibility check. Never ``playwright install``: the browser is
/usr/bin/chromium.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

from harness import ROOT

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
AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
PHONE: ViewportSize = {"width": 360, "height": 780}


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless (closed on the way out)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


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


async def new_phone(
    browser: Browser, *, viewport: ViewportSize = PHONE, prf: bool = True, **options: Any
) -> tuple[BrowserContext, Page]:
    """A fresh phone: its own browser context and page, with a platform passkey authenticator
    (with PRF unless told otherwise)."""
    context = await browser.new_context(viewport=viewport, **options)
    page = await context.new_page()
    await add_virtual_authenticator(context, page, prf=prf)
    return context, page


async def type_enrolment_code(page: Page, origin: str, collar: str, code: str) -> None:
    """Open the app, type the collar number and the one-time code, and press enrol."""
    await page.goto(origin + "/")
    await page.get_by_label("Collar number").fill(collar)
    await page.get_by_label("One-time code").fill(code)
    await page.get_by_role("button", name="Enrol this phone").click()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious or critical axe-core violations on the page as it is now."""
    if not AXE.is_file():
        raise RuntimeError("axe-core is not installed in pwa/node_modules (npm ci in pwa/)")
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
