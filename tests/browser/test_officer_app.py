"""The officer's app in a real Chromium: enrol, work offline, survive reloads and restarts,
sync by itself, resume a cut photo upload; no serious accessibility violation anywhere."""

from __future__ import annotations

import contextlib
import hashlib
import io
import random
import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import BrowserContext, Locator, Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from harness.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    add_virtual_authenticator,
    axe_violations,
    new_phone,
    type_enrolment_code,
)
from harness.images import noisy_jpeg
from harness.server import LiveServer

CRIME_REFERENCE = "22/50001/26"


def photo_bytes(seed: int, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG with noise (so it does not compress to nothing) and EXIF-free."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), 90, 140))
    pixels = image.load()
    assert pixels is not None
    for _ in range(size[0] * size[1] // 6):
        pixels[rng.randrange(size[0]), rng.randrange(size[1])] = (
            rng.randrange(256),
            rng.randrange(256),
            rng.randrange(256),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


async def assert_accessible(page: Page, where: str, found: dict[str, Any]) -> None:
    """Record serious/critical axe violations on this screen (checked at the end)."""
    violations = await axe_violations(page)
    if violations:
        found[where] = violations


async def enrol(
    page: Page,
    server: LiveServer,
    collar: str = "1234",
    pin: str | None = None,
    *,
    answer_notices: bool = True,
) -> None:
    """Enrol this browser's passkey with a one-time code, as an officer would.

    The demo's officers enrol many phones over a run, so each new phone is told of the others
    (issue 14 item 6) and the officer answers that they recognise them, whenever the notice
    covers what the test does next. Tests of the notices themselves pass ``answer_notices=False``.
    """
    if answer_notices:
        notice = page.locator("dialog.device-notice")

        async def recognise(dialog: Locator) -> None:
            answer = dialog.get_by_role(
                "button", name=re.compile("^(I recognise it|Yes, I added it)$")
            )
            await answer.first.click()

        # One notice per other device, one after another: never wait for the dialog to close.
        await page.add_locator_handler(notice, recognise, no_wait_after=True)
    await type_enrolment_code(page, server.url, collar, server.enrolment_code(collar))
    if pin is not None:
        await page.get_by_label("New device passphrase").fill(pin)
        await page.get_by_label("The same passphrase again").fill(pin)
        await page.get_by_role("button", name="Set passphrase").click()
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=20_000)
    # The app shell is precached by the service worker, and the worker controls the page,
    # before we go offline.
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not await page.evaluate("navigator.serviceWorker.controller !== null"):
        await page.reload()
        await unlock_with_pin_if_locked(page)
        await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=20_000)
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)


PIN = "blue kettle 42"


async def unlock_with_pin_if_locked(page: Page) -> None:
    """The app locks itself when closed: it unlocks offline with the passphrase or the passkey."""
    locked = page.get_by_role("heading", name="Doorstep is locked")
    try:
        await locked.wait_for(timeout=5_000)
    except PlaywrightTimeoutError:
        return
    pin = page.get_by_label("Device passphrase")
    if await pin.count():
        await pin.fill(PIN)
        await page.get_by_role("button", name="Unlock").click()
    else:  # a passkey with PRF: the authenticator unlocks it
        # After a reload the app asks for the passkey by itself, and may be done already.
        with contextlib.suppress(PlaywrightTimeoutError):
            await page.get_by_role("button", name="Unlock with passkey").click(timeout=5_000)
    await expect(locked).to_be_hidden(timeout=30_000)


async def open_section(page: Page, name: str) -> None:
    """Go to a section of the open visit."""
    await (
        page.get_by_role("navigation", name="Visit sections")
        .get_by_role("link", name=name)
        .first.click()
    )


async def capture_visit(page: Page, photos: list[Path], found: dict[str, Any]) -> None:
    """Start and complete a whole visit, with photos, a kit and advice, entirely offline."""
    await page.get_by_role("button", name="Start visit").click()
    await page.get_by_label("Crime reference").fill(CRIME_REFERENCE)
    await page.get_by_label("Reported at").fill("2026-11-23T07:00")
    await assert_accessible(page, "reference", found)
    await open_section(page, "Attendance")
    await page.get_by_label("Arrived at").fill("2026-11-23T08:30")
    await open_section(page, "Place")
    await page.get_by_label("Address line 1").fill("14 Lansdowne Crescent")
    await page.get_by_label("Town").fill("Worcester")
    await page.get_by_label("Postcode").fill("wr3 8je")
    await page.get_by_label("Property type").select_option("semi")
    await assert_accessible(page, "place", found)
    await open_section(page, "Victim")
    await page.get_by_label("Victim name").fill("Margaret Ellis")
    await (
        page.get_by_role("group", name="Victims' Code information given")
        .get_by_label("Yes")
        .check()
    )
    await assert_accessible(page, "victim", found)
    await open_section(page, "Offence")
    await page.get_by_label("Offence type").select_option("dwelling")
    await open_section(page, "Photos")
    for path in photos:
        await page.locator("#photo-input").set_input_files(str(path))
        await page.wait_for_timeout(300)
    await expect(page.locator(".photo-card, [data-testid=photo-card], figure")).to_have_count(
        len(photos), timeout=15_000
    )
    await assert_accessible(page, "photos", found)
    await open_section(page, "SmartWater kits")
    await page.get_by_role("button", name="Add kit issued").click()
    await page.get_by_label("Kit code").first.fill("SW-445566")
    await page.get_by_label("Kit code").first.blur()
    await assert_accessible(page, "kits", found)
    await open_section(page, "Prevention advice")
    await page.get_by_role("checkbox").first.check()
    await assert_accessible(page, "advice", found)
    await open_section(page, "Check and complete")
    await page.get_by_role("button", name="Complete visit").click()
    await expect(page.get_by_text("Completed").first).to_be_visible(timeout=10_000)
    await assert_accessible(page, "complete", found)


async def waiting(page: Page) -> tuple[str, str]:
    """What the sync bar says is still waiting (changes, photos)."""
    return (
        await page.get_by_test_id("changes-waiting").inner_text(),
        await page.get_by_test_id("photos-waiting").inner_text(),
    )


def server_state(server: LiveServer) -> dict[str, Any]:
    """What the server stored for the visit: status, photos (sha256, status) and kits."""
    visits = server.query(
        "SELECT id, status, victim_name FROM visit WHERE reference_crime_reference = ?",
        CRIME_REFERENCE,
    )
    if not visits:
        return {}
    row = visits[0]
    photos = server.query(
        "SELECT sha256, status FROM photo WHERE visit_id = ? AND deleted = 0", row[0]
    )
    kits = server.query("SELECT kit_code FROM kit_issue WHERE visit_id = ?", row[0])
    return {"status": row[1], "victim": row[2], "photos": photos, "kits": kits}


async def test_offline_visit_survives_reload_and_restart_then_syncs_by_itself(
    live_server: LiveServer, tmp_path: Path
) -> None:
    photos = []
    for n in range(2):
        path = tmp_path / f"photo-{n}.jpg"
        path.write_bytes(photo_bytes(n))
        photos.append(path)
    expected = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in photos)
    found: dict[str, Any] = {}
    profile = tmp_path / "profile"

    async with async_playwright() as playwright:
        context: BrowserContext = await playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 360, "height": 780},
        )
        page = context.pages[0] if context.pages else await context.new_page()
        # A passkey without PRF: the app protects offline data with a passphrase, which (unlike
        # a test authenticator) survives closing the browser.
        await add_virtual_authenticator(context, page, prf=False)
        await enrol(page, live_server, pin=PIN)
        await assert_accessible(page, "visit list", found)

        await context.set_offline(True)
        live_server.stop()
        await capture_visit(page, photos, found)

        # Reload while offline: everything is still there.
        await page.reload()
        await unlock_with_pin_if_locked(page)
        await expect(page.get_by_text("Completed").first).to_be_visible(timeout=15_000)
        await page.goto(live_server.url + "/#/")
        await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=15_000)
        await expect(page.get_by_text(CRIME_REFERENCE)).to_be_visible()
        assert server_state(live_server) == {}
        await context.close()

        # Close the browser and reopen the same profile, still offline.
        context = await playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 360, "height": 780},
            offline=True,
        )
        page = context.pages[0] if context.pages else await context.new_page()
        await page.goto(live_server.url + "/#/")
        await unlock_with_pin_if_locked(page)
        await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=15_000)
        await expect(page.get_by_text(CRIME_REFERENCE)).to_be_visible()
        await expect(page.get_by_test_id("photos-waiting")).to_have_text("2", timeout=10_000)
        changes, _ = await waiting(page)
        assert int(changes) > 0

        # Back online: the sync finishes with no click.
        live_server.start()
        await context.set_offline(False)
        await page.evaluate("window.dispatchEvent(new Event('online'))")
        await expect(page.get_by_test_id("changes-waiting")).to_have_text("0", timeout=60_000)
        try:
            await expect(page.get_by_test_id("photos-waiting")).to_have_text("0", timeout=60_000)
        except AssertionError:
            print("DEBUG", server_state(live_server))
            print("DEBUG LOG", live_server.log.read_text()[-4000:])
            print("DEBUG BAR", await page.locator("body").inner_text())
            raise
        await context.close()

    state = server_state(live_server)
    assert state["status"] == "completed"
    assert state["victim"] == "Margaret Ellis"
    assert state["kits"] == [("SW-445566",)]
    assert sorted(sha for sha, _ in state["photos"]) == expected
    assert {status for _, status in state["photos"]} == {"verified"}
    for sha in expected:
        assert hashlib.sha256(live_server.original(sha)).hexdigest() == sha
    assert found == {}, f"serious or critical accessibility violations: {found}"


async def test_photo_upload_cut_mid_way_resumes_from_last_chunk_not_zero(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    data = noisy_jpeg(7, (2400, 1500))
    assert len(data) > 3 * 1024 * 1024
    path = tmp_path / "entry.jpg"
    path.write_bytes(data)
    context, page = await new_phone(browser)
    await enrol(page, live_server)

    received: list[tuple[int, int]] = []  # (Upload-Offset, bytes) of each PATCH the server took
    patches_seen = 0
    cut = False

    async def cut_after_two_chunks(route: Any) -> None:
        nonlocal patches_seen, cut
        request = route.request
        if request.method != "PATCH":
            await route.continue_()
            return
        patches_seen += 1
        if patches_seen == 3 and not cut:
            # The signal goes mid-upload: this chunk never arrives, nor do the client's retries.
            cut = True
            await context.set_offline(True)
            await route.abort("internetdisconnected")
            return
        response = await route.fetch()
        if 200 <= response.status < 300:
            body = request.post_data_buffer or b""
            received.append((int(request.headers["upload-offset"]), len(body)))
        await route.fulfill(response=response)

    await context.route("**/api/uploads/**", cut_after_two_chunks)
    await page.get_by_role("button", name="Start visit").click()
    await page.get_by_label("Crime reference").fill("22/60001/26")
    await open_section(page, "Photos")
    await page.locator("#photo-input").set_input_files(str(path))
    deadline = 60.0
    while not cut and deadline > 0:
        await page.wait_for_timeout(250)
        deadline -= 0.25
    assert cut, "the upload never reached its third chunk"
    # The signal is gone for a while: the app is even reloaded before it comes back.
    assert [offset for offset, _ in received] == [0, 1024 * 1024]
    await page.reload()
    await expect(page.get_by_test_id("photos-waiting")).to_have_text("1", timeout=15_000)
    await context.set_offline(False)
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.get_by_test_id("photos-waiting")).to_have_text("0", timeout=60_000)
    await context.unroute_all(behavior="ignoreErrors")
    await context.close()

    offsets = [offset for offset, _ in received]
    assert offsets[2] == 2 * 1024 * 1024, f"resumed from {offsets[2]}, not from the last chunk"
    assert sum(size for _, size in received) == len(data), "bytes were sent twice"
    digest = hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(live_server.original(digest)).hexdigest() == digest
