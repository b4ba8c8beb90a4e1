"""Two officers on one phone (issue 14 item 4, SECURITY.md 33), in a real Chromium.

Unsent work is deleted only by its officer's own "Sign out and wipe" (after being shown what is
unsent) or by a revocation. Another officer signing in on a phone that holds it (a session that
expired while unlocked, a shared phone, a synced passkey) must leave it sealed and untouched:
it syncs when its officer signs in again. Before the fix the app called logout, whose
``Clear-Site-Data: "storage"`` made the browser delete IndexedDB, unsent work and all.

Both passkeys live in the phone's one platform authenticator (the officer who used the phone
before signed out and wiped it, so their passkey stays). Chrome's account chooser is simulated
by narrowing the discoverable sign-in to the passkey of the officer who taps the button, as
picking it in the chooser would.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from harness.browser import axe_violations, new_phone
from harness.server import LiveServer
from tests.browser.test_device_security import (
    VICTIM,
    go_offline,
    go_online,
    start_visit_with_victim,
)
from tests.browser.test_officer_app import enrol

OFFICER_A = "1234"
OFFICER_B = "5678"

# Queued mutations per IndexedDB database of the origin, read straight from the stores.
QUEUED_PER_DATABASE = """
async () => {
  const out = {};
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    if (db.objectStoreNames.contains("outbox")) {
      const rows = await new Promise((resolve, reject) => {
        const tx = db.transaction("outbox", "readonly");
        const req = tx.objectStore("outbox").getAll();
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = () => reject(tx.error);
      });
      out[name] = rows.filter((row) => row.state === "queued").length;
    }
    db.close();
  }
  return out;
}
"""


def credential_of(server: LiveServer, collar: str) -> str:
    """The (base64url) credential id of the officer's live passkey on the server."""
    rows = server.query(
        "SELECT d.credential_id_b64 FROM device d JOIN officer o ON o.id = d.officer_id"
        " WHERE o.collar_number = ? AND d.revoked_at IS NULL ORDER BY d.created_at DESC",
        collar,
    )
    assert rows, f"officer {collar} has no passkey"
    return str(rows[0][0])


async def passkey_chosen(context: BrowserContext, server: LiveServer, collar: str) -> None:
    """From now on a passkey sign-in uses this officer's passkey (their pick in the chooser)."""
    credential = credential_of(server, collar)

    async def narrow(route: Route) -> None:
        response = await route.fetch()
        options: dict[str, Any] = await response.json()
        options["allowCredentials"] = [{"type": "public-key", "id": credential}]
        await route.fulfill(response=response, body=json.dumps(options))

    await context.unroute("**/api/auth/login/options")
    await context.route("**/api/auth/login/options", narrow)


def expire_sessions_of(server: LiveServer, collar: str) -> int:
    """The officer's sessions reach their absolute expiry (as if the shift had ended)."""
    return server.execute(
        "UPDATE session SET expires_at = created_at WHERE ended_at IS NULL AND officer_id ="
        " (SELECT id FROM officer WHERE collar_number = ?)",
        collar,
    )


async def queued(page: Page) -> dict[str, int]:
    """Queued mutations in each database on the phone."""
    result: dict[str, int] = await page.evaluate(QUEUED_PER_DATABASE)
    return result


def victim_on_server(server: LiveServer, crime_reference: str) -> list[tuple[Any, ...]]:
    """(victim name, owner's collar number) of the visit with this crime reference."""
    return server.query(
        "SELECT v.victim_name, o.collar_number FROM visit v JOIN officer o ON o.id = v.officer_id"
        " WHERE v.reference_crime_reference = ?",
        crime_reference,
    )


async def wipe_phone(page: Page, server: LiveServer) -> None:
    """The officer's own "Sign out and wipe" (nothing unsent)."""
    await page.goto(server.url + "/#/sign-out")
    await page.get_by_role("button", name="Wipe this phone…").click()
    await page.get_by_role("button", name="Yes, wipe this phone now").click()
    await expect(page.get_by_text("Doorstep's data has been removed")).to_be_visible(timeout=20_000)


async def officer_a_work_waits_and_b_signs_in(
    context: BrowserContext, page: Page, server: LiveServer, crime_reference: str
) -> int:
    """A shared phone: B used it before and signed out and wiped it (their passkey stays); A
    works with no signal, A's shift ends while the app is open, signal returns, and B taps
    *Sign in* with their own passkey. Returns how many of A's changes wait."""
    await enrol(page, server, collar=OFFICER_B)
    await wipe_phone(page, server)
    await enrol(page, server, collar=OFFICER_A)
    await go_offline(context, server)
    await start_visit_with_victim(page, crime_reference)
    await expect(page.get_by_test_id("changes-waiting")).not_to_have_text("0", timeout=10_000)
    unsent = int(await page.get_by_test_id("changes-waiting").inner_text())
    assert expire_sessions_of(server, OFFICER_A) >= 1
    await go_online(context, server, page)
    await expect(page.get_by_text("Your session has ended")).to_be_visible(timeout=30_000)
    await passkey_chosen(context, server, OFFICER_B)
    await page.get_by_role("region", name="Sign in needed").get_by_role("button").click()
    return unsent


async def test_another_officer_signing_in_keeps_unsent_work(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await new_phone(browser)
    unsent = await officer_a_work_waits_and_b_signs_in(context, page, live_server, "22/71001/26")
    notice = page.get_by_test_id("other-officers-unsent")
    await expect(notice.or_(page.get_by_role("alert"))).to_be_visible(timeout=30_000)
    await page.wait_for_timeout(2_000)  # whatever the sign-in set off has happened
    assert sum((await queued(page)).values()) == unsent, "A's unsent work was deleted"
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text(f"{unsent} change")
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible()
    # B sees none of A's work and A's queue is intact.
    await expect(page.get_by_role("link").filter(has_text="22/71001/26")).to_have_count(0)
    assert VICTIM not in await page.content()
    assert sum((await queued(page)).values()) == unsent
    assert victim_on_server(live_server, "22/71001/26") == []
    violations = await axe_violations(page)
    assert violations == [], violations

    # B hands the phone back: A signs in, and A's work syncs.
    await page.goto(live_server.url + "/#/about")
    await page.get_by_role("button", name="Switch officer").click()
    await expect(page.get_by_role("heading", name="Another officer")).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], violations
    await passkey_chosen(context, live_server, OFFICER_A)
    await page.get_by_role("button", name="Sign in with passkey").click()
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=30_000)
    await expect(page.get_by_role("link").filter(has_text="22/71001/26")).to_have_count(
        1, timeout=10_000
    )
    for _ in range(60):
        if victim_on_server(live_server, "22/71001/26"):
            break
        await page.wait_for_timeout(1_000)
    assert victim_on_server(live_server, "22/71001/26") == [(VICTIM, OFFICER_A)]
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("0", timeout=30_000)
    assert sum((await queued(page)).values()) == 0
    await expect(page.get_by_test_id("other-officers-unsent")).to_have_count(0)
    await context.close()


async def test_own_sign_out_and_wipe_keeps_another_officers_unsent_work(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await new_phone(browser)
    unsent = await officer_a_work_waits_and_b_signs_in(context, page, live_server, "22/71002/26")
    await expect(page.get_by_test_id("other-officers-unsent")).to_be_visible(timeout=30_000)

    # B signs out and wipes their own data: the app deletes B's database only, and the
    # server's logout answer (Clear-Site-Data) no longer makes the browser delete the rest.
    await page.goto(live_server.url + "/#/sign-out")
    await expect(page.get_by_text("theirs is not touched")).to_be_visible()
    await page.get_by_role("button", name="Wipe this phone…").click()
    await page.get_by_role("button", name="Yes, wipe this phone now").click()
    await expect(page.get_by_text("Your Doorstep data has been removed")).to_be_visible(
        timeout=20_000
    )
    await page.wait_for_timeout(2_000)  # the logout's answer has reached the browser
    assert await queued(page) == {"doorstep": unsent}, "A's unsent work was deleted"
    assert await page.evaluate("caches.keys().then((k) => k.length)") > 0, "app shell deleted"

    # A comes back: unlocks with the passkey, signs in, and the work syncs.
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Unlock with passkey").click()
    await expect(page.get_by_text("Your session has ended")).to_be_visible(timeout=30_000)
    await passkey_chosen(context, live_server, OFFICER_A)
    await page.get_by_role("region", name="Sign in needed").get_by_role("button").click()
    for _ in range(60):
        if victim_on_server(live_server, "22/71002/26"):
            break
        await page.wait_for_timeout(1_000)
    assert victim_on_server(live_server, "22/71002/26") == [(VICTIM, OFFICER_A)]
    await context.close()
