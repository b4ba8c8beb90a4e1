"""Data on the phone is protected (SPEC section 5), in a real Chromium with a PRF passkey.

- After an offline visit with a photo, a raw dump of every IndexedDB database holds neither the
  victim's name nor the postcode, and no stored blob starts like a JPEG.
- The app locks itself when idle; it unlocks with the passkey with no signal at all, and
  everything is readable again.
- A device revoked on the server wipes itself at its next contact: no database, no cache, no
  service worker, no local setting left.
- A visit the server has confirmed (completed, every photo verified) leaves the phone after
  the grace time, keeping only a stub; a visit still in draft stays.

Test hooks (docs/device-security.md): localStorage `doorstep-lock-idle-seconds` and
`doorstep-purge-grace-seconds` can only SHORTEN the idle lock and the purge grace time.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, expect

from harness.browser import axe_violations, new_phone, type_enrolment_code
from harness.server import LiveServer
from tests.browser.test_officer_app import enrol, open_section, photo_bytes

VICTIM = "Margaret Ellis"
POSTCODE = "WR3 8JE"
JPEG_SOI = b"\xff\xd8\xff"

# Every database, object store (values and keys), Cache Storage entry and Web Storage item of
# the origin, with Blobs, ArrayBuffers and typed arrays as base64 bytes.
RAW_DUMP = """
async () => {
  const b64 = (u8) => {
    let s = "";
    for (let i = 0; i < u8.length; i += 0x8000) {
      s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    }
    return btoa(s);
  };
  const out = {
    databases: [], stores: [], strings: [], binaries: [], blobs: [], caches: [], cacheUrls: [],
  };
  const walk = async (x) => {
    if (x instanceof Blob) out.blobs.push(b64(new Uint8Array(await x.arrayBuffer())));
    else if (x instanceof ArrayBuffer) out.binaries.push(b64(new Uint8Array(x)));
    else if (ArrayBuffer.isView(x)) {
      out.binaries.push(b64(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)));
    }
    else if (Array.isArray(x)) { for (const y of x) await walk(y); }
    else if (x instanceof Date) out.strings.push(x.toISOString());
    else if (x && typeof x === "object") {
      for (const [k, y] of Object.entries(x)) { out.strings.push(k); await walk(y); }
    }
    else if (x !== undefined && x !== null) out.strings.push(String(x));
  };
  for (const { name } of await indexedDB.databases()) {
    out.databases.push(name);
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    for (const storeName of db.objectStoreNames) {
      out.stores.push(`${name}/${storeName}`);
      const [values, keys] = await new Promise((resolve, reject) => {
        const tx = db.transaction(storeName, "readonly");
        const store = tx.objectStore(storeName);
        const v = store.getAll();
        const k = store.getAllKeys();
        tx.oncomplete = () => resolve([v.result, k.result]);
        tx.onerror = () => reject(tx.error);
      });
      for (const v of values) await walk(v);
      for (const k of keys) await walk(k);
    }
    db.close();
  }
  for (const cacheName of await caches.keys()) {
    out.caches.push(cacheName);
    const cache = await caches.open(cacheName);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      out.cacheUrls.push(request.url);
      if (response) out.binaries.push(b64(new Uint8Array(await response.arrayBuffer())));
    }
  }
  for (const s of [localStorage, sessionStorage]) {
    for (let i = 0; i < s.length; i += 1) {
      out.strings.push(s.key(i));
      out.strings.push(s.getItem(s.key(i)));
    }
  }
  return out;
}
"""

STORAGE_LEFT = """
async () => ({
  databases: (await indexedDB.databases()).map((d) => d.name),
  caches: await caches.keys(),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
  local: localStorage.length,
  session: sessionStorage.length,
})
"""


async def raw_dump(page: Page) -> dict[str, Any]:
    """Everything the origin stores on the phone, as text and bytes."""
    dump: dict[str, Any] = await page.evaluate(RAW_DUMP)
    dump["binaries"] = [base64.b64decode(b) for b in dump["binaries"]]
    dump["blobs"] = [base64.b64decode(b) for b in dump["blobs"]]
    return dump


def haystack(dump: dict[str, Any]) -> str:
    """All the dump's strings and bytes (as Latin-1 and as UTF-8)."""
    parts = list(dump["strings"])
    for data in dump["binaries"] + dump["blobs"]:
        parts.append(data.decode("latin-1"))
        parts.append(data.decode("utf-8", errors="ignore"))
    return "\n".join(parts)


async def go_offline(context: BrowserContext, server: LiveServer) -> None:
    """No signal at all: the page offline and the server off the network."""
    await context.set_offline(True)
    server.stop()


async def go_online(context: BrowserContext, server: LiveServer, page: Page) -> None:
    """Signal again."""
    server.start()
    await context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")


async def start_visit(page: Page, crime_reference: str) -> str:
    """Start a visit with its crime reference; return the visit's id (from the route)."""
    await page.get_by_role("button", name="Start visit").click()
    await page.get_by_label("Crime reference").fill(crime_reference)
    await page.get_by_label("Crime reference").blur()
    match = re.search(r"#/visit/([0-9a-f-]{36})", page.url)
    assert match, page.url
    return match.group(1)


async def start_visit_with_victim(page: Page, crime_reference: str) -> str:
    """Start a visit and type the victim's name (saved on blur); return the visit's id."""
    visit_id = await start_visit(page, crime_reference)
    await open_section(page, "Victim")
    await page.get_by_label("Victim name").fill(VICTIM)
    await page.get_by_label("Victim name").blur()
    return visit_id


async def fill_visit(page: Page, photo: Path | None) -> None:
    """Everything completion needs, the victim's name and postcode, and optionally a photo."""
    await page.get_by_label("Reported at").fill("2026-11-23T07:00")
    await open_section(page, "Attendance")
    await page.get_by_label("Arrived at").fill("2026-11-23T08:30")
    await open_section(page, "Place")
    await page.get_by_label("Address line 1").fill("14 Lansdowne Crescent")
    await page.get_by_label("Postcode").fill(POSTCODE)
    await open_section(page, "Victim")
    await page.get_by_label("Victim name").fill(VICTIM)
    await page.get_by_label("Victim name").blur()
    # A click can land while the name's save re-renders the section (which shows the stored
    # value): click, then wait for the stored answer rather than the click's own state.
    code_group = page.get_by_role("group", name="Victims' Code information given")
    code_given = code_group.get_by_label("Yes")
    await code_given.click()
    await expect(code_given).to_be_checked(timeout=10_000)
    await open_section(page, "Offence")
    await page.get_by_label("Offence type").select_option("dwelling")
    if photo is not None:
        await open_section(page, "Photos")
        await page.locator("#photo-input").set_input_files(str(photo))
        await expect(page.locator(".photo-card, [data-testid=photo-card], figure")).to_have_count(
            1, timeout=15_000
        )


async def complete(page: Page) -> None:
    """Complete the open visit."""
    await open_section(page, "Check and complete")
    await page.get_by_role("button", name="Complete visit").click()
    await expect(page.get_by_text("Completed").first).to_be_visible(timeout=10_000)


def server_visit(server: LiveServer, visit_id: str) -> tuple[Any, ...] | None:
    """(status, victim name) of a visit on the server."""
    rows = server.query("SELECT status, victim_name FROM visit WHERE id = ?", visit_id)
    return rows[0] if rows else None


async def test_offline_visit_is_encrypted_at_rest_and_unlocks_offline_with_the_passkey(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    photo = tmp_path / "door.jpg"
    photo.write_bytes(photo_bytes(11, (800, 600)))
    assert photo.read_bytes().startswith(JPEG_SOI)
    context, page = await new_phone(browser)
    await enrol(page, live_server)

    await go_offline(context, live_server)
    await start_visit(page, "22/70001/26")
    await fill_visit(page, photo)
    await expect(page.get_by_test_id("changes-waiting")).not_to_have_text("0", timeout=10_000)
    await expect(page.get_by_test_id("photos-waiting")).to_have_text("1", timeout=10_000)

    dump = await raw_dump(page)
    assert "doorstep" in dump["databases"]
    assert "doorstep/records" in dump["stores"]
    assert "doorstep/photos" in dump["stores"]
    text = haystack(dump)
    assert "22/70001/26" not in text  # even the crime reference is sealed
    assert dump["cacheUrls"], "the app shell should be cached for offline use"
    assert [u for u in dump["cacheUrls"] if "/api/" in u] == []
    for secret in (VICTIM, "Ellis", "Margaret", POSTCODE, POSTCODE.lower(), "WR38JE", "Lansdowne"):
        assert secret not in text, f"{secret!r} found in clear on the phone"
    assert dump["blobs"], "the photo's (encrypted) bytes should be stored as a blob"
    starts = [b[:3] for b in dump["blobs"]]
    assert JPEG_SOI not in starts, "a stored blob starts with a JPEG SOI marker"
    for data in dump["blobs"]:
        assert JPEG_SOI + b"\xe0" not in data[:16]

    # Left alone, the app locks itself (idle time shortened for the test) and shows nothing.
    await page.evaluate("localStorage.setItem('doorstep-lock-idle-seconds', '2')")
    locked = page.get_by_role("heading", name="Doorstep is locked")
    await expect(locked).to_be_visible(timeout=15_000)
    assert VICTIM not in await page.content()
    await expect(page.get_by_text("Waiting to sync")).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], violations

    # Still no signal: the passkey alone unlocks, and everything reads again.
    await page.evaluate("localStorage.removeItem('doorstep-lock-idle-seconds')")
    await page.get_by_role("button", name="Unlock with passkey").click()
    await expect(locked).to_be_hidden(timeout=15_000)
    await page.goto(live_server.url + "/#/")
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=10_000)
    await page.get_by_role("link").filter(has_text="22/70001/26").click()
    await open_section(page, "Victim")
    await expect(page.get_by_label("Victim name")).to_have_value(VICTIM)
    await open_section(page, "Place")
    await expect(page.get_by_label("Postcode")).to_have_value(re.compile(POSTCODE, re.I))
    await open_section(page, "Photos")
    await expect(page.locator(".photo-card, [data-testid=photo-card], figure")).to_have_count(1)

    # Signal again: the work syncs, the server has it all.
    await go_online(context, live_server, page)
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("0", timeout=60_000)
    await expect(page.get_by_test_id("photos-waiting")).to_have_text("0", timeout=60_000)
    await context.close()


async def test_revoked_device_wipes_databases_caches_and_keys_at_next_contact(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await new_phone(browser)
    await enrol(page, live_server)
    await start_visit_with_victim(page, "22/70002/26")
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("0", timeout=30_000)
    before = await page.evaluate(STORAGE_LEFT)
    assert "doorstep" in before["databases"], before
    assert before["caches"], before
    device_id = await page.evaluate(
        "fetch('/api/me', {credentials: 'same-origin'}).then((r) => r.json())"
        ".then((me) => me.device.id)"
    )

    # The phone is reported lost while it has no signal; it reconnects later.
    await go_offline(context, live_server)
    live_server.doorstep("revoke-device", device_id, "--reason", "lost")
    await go_online(context, live_server, page)
    removed = page.get_by_text("Doorstep's data has been removed from this phone")
    await expect(removed).to_be_visible(timeout=30_000)
    left = await page.evaluate(STORAGE_LEFT)
    assert left == {"databases": [], "caches": [], "workers": 0, "local": 0, "session": 0}, left
    await context.close()


async def test_confirmed_visit_is_purged_after_the_grace_time_and_a_pending_one_is_kept(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    photo = tmp_path / "window.jpg"
    photo.write_bytes(photo_bytes(12, (640, 480)))
    context, page = await new_phone(browser)
    await enrol(page, live_server)
    await page.evaluate("localStorage.setItem('doorstep-purge-grace-seconds', '3')")

    done = await start_visit(page, "22/70003/26")
    await fill_visit(page, photo)
    await complete(page)
    await page.goto(live_server.url + "/#/")
    pending = await start_visit(page, "22/70004/26")
    await page.goto(live_server.url + "/#/")
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("0", timeout=60_000)
    await expect(page.get_by_test_id("photos-waiting")).to_have_text("0", timeout=60_000)
    assert server_visit(live_server, done) == ("completed", VICTIM)
    assert server_visit(live_server, pending) is not None

    # The grace time passes; the next sync (or the app's timer) purges the confirmed visit.
    # (The demo's own confirmed visits, pulled at sign-in, go the same way.)
    stub = page.get_by_test_id("purged-visit").filter(has_text="22/70003/26")
    for _ in range(10):
        await page.wait_for_timeout(1_500)
        await page.get_by_role("button", name="Sync now").click()
        if await stub.count() > 0:
            break
    await expect(stub).to_have_count(1, timeout=15_000)
    await expect(stub).to_contain_text("Completed")
    await expect(stub).to_contain_text("2026-11-23")
    draft_stub = page.get_by_test_id("purged-visit").filter(has_text="22/70004/26")
    await expect(draft_stub).to_have_count(0)
    await expect(page.get_by_role("link").filter(has_text="22/70003/26")).to_have_count(0)
    await expect(page.get_by_role("link").filter(has_text="22/70004/26")).to_have_count(1)
    await expect(page.get_by_test_id("storage-used")).to_contain_text("Storage used on this phone")

    dump = await raw_dump(page)
    clear_text = "\n".join(dump["strings"])
    assert done not in clear_text, "the purged visit's records are still on the phone"
    assert pending in dump["strings"], "the draft visit should still be on the phone"
    violations = await axe_violations(page)
    assert violations == [], violations
    await context.close()


async def phone_without_prf(browser: Browser, **options: Any) -> tuple[BrowserContext, Page]:
    """A fresh phone whose platform passkey has no PRF (hmac-secret)."""
    return await new_phone(browser, prf=False, **options)


async def enrol_code(page: Page, server: LiveServer, collar: str = "1234") -> None:
    """Type the collar number and a one-time code, and enrol."""
    await type_enrolment_code(page, server.url, collar, server.enrolment_code(collar))


async def allow_wasm(route: Any) -> None:
    """The CSP the PIN needs (script-src 'wasm-unsafe-eval'), as the server should send it."""
    if route.request.resource_type != "document":
        await route.continue_()
        return
    response = await route.fetch()
    headers = dict(response.headers)
    csp = headers.get("content-security-policy", "")
    headers["content-security-policy"] = csp.replace(
        "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"
    )
    await route.fulfill(response=response, headers=headers)


async def enrolled_without_prf(browser: Browser, server: LiveServer) -> tuple[BrowserContext, Page]:
    """A phone whose passkey has no PRF, enrolled and at the passphrase screen. No service
    worker, so every page comes from the network with the CSP the passphrase needs."""
    context, page = await phone_without_prf(browser, service_workers="block")
    await context.route("**/*", allow_wasm)
    await enrol_code(page, server)
    return context, page


async def choose_passphrase(page: Page, passphrase: str, button: str = "Set passphrase") -> None:
    """Type a new device passphrase twice and submit it."""
    await page.get_by_label("New device passphrase").fill(passphrase)
    await page.get_by_label("The same passphrase again").fill(passphrase)
    await page.get_by_role("button", name=button).click()


async def test_without_prf_a_device_passphrase_protects_the_data(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await enrolled_without_prf(browser, live_server)
    await expect(page.get_by_role("heading", name="Choose a device passphrase")).to_be_visible(
        timeout=20_000
    )
    violations = await axe_violations(page)
    assert violations == [], violations
    # Six digits fall to an offline guesser with a copy of the profile in days: refused.
    await choose_passphrase(page, "482916")
    await expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")
    await choose_passphrase(page, "4829163307")
    await expect(page.get_by_role("alert")).to_contain_text("letters as well as digits")
    await choose_passphrase(page, "amber otter 58")
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=30_000)

    await start_visit_with_victim(page, "22/70005/26")
    await expect(page.get_by_test_id("changes-waiting")).not_to_have_text("0", timeout=10_000)
    text = haystack(await raw_dump(page))
    assert VICTIM not in text
    assert "22/70005/26" not in text

    await page.evaluate("localStorage.setItem('doorstep-lock-idle-seconds', '2')")
    await expect(page.get_by_role("heading", name="Doorstep is locked")).to_be_visible(
        timeout=15_000
    )
    await page.evaluate("localStorage.removeItem('doorstep-lock-idle-seconds')")
    await page.get_by_label("Device passphrase").fill("amber otter 59")
    await page.get_by_role("button", name="Unlock").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong passphrase.", timeout=30_000)
    await page.get_by_label("Device passphrase").fill("amber otter 58")
    await page.get_by_role("button", name="Unlock").click()
    # Back where the officer was, with everything readable.
    await expect(page.get_by_label("Victim name")).to_have_value(VICTIM, timeout=30_000)
    await context.close()


async def block_wasm(route: Any) -> None:
    """A stricter CSP than Doorstep's (no 'wasm-unsafe-eval'): the browser cannot run Argon2id."""
    if route.request.resource_type != "document":
        await route.continue_()
        return
    response = await route.fetch()
    headers = dict(response.headers)
    policy = headers.get("content-security-policy", "")
    headers["content-security-policy"] = policy.replace(" 'wasm-unsafe-eval'", "")
    await route.fulfill(response=response, headers=headers)


async def test_without_prf_and_webassembly_blocked_the_phone_works_online_only(
    live_server: LiveServer, browser: Browser
) -> None:
    # A browser that cannot run WebAssembly cannot derive a key from a PIN: online only.
    context, page = await phone_without_prf(browser)
    await context.route("**/*", block_wasm)
    await enrol_code(page, live_server)
    await expect(page.get_by_text("This browser cannot set a device passphrase")).to_be_visible(
        timeout=20_000
    )
    await page.get_by_role("button", name="Use online only").click()
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=20_000)
    await start_visit_with_victim(page, "22/70006/26")
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("0", timeout=30_000)
    assert VICTIM not in haystack(await raw_dump(page))

    # A new start: nothing readable was kept; a passkey sign-in brings the work back.
    await page.reload()
    await expect(page.get_by_role("heading", name="Doorstep is locked")).to_be_visible(
        timeout=15_000
    )
    await expect(page.get_by_text("works online only")).to_be_visible()
    await page.get_by_role("button", name="Sign in with passkey").click()
    await expect(page.get_by_role("heading", name="22/70006/26")).to_be_visible(timeout=20_000)
    await page.goto(live_server.url + "/#/")
    await expect(page.get_by_role("link").filter(has_text="22/70006/26")).to_have_count(
        1, timeout=20_000
    )
    await context.close()
