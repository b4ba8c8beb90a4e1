"""The supervisor's workspace in a real Chromium (issue 8): an officer completes a visit on the
phone; the supervisor finds it, opens it with its photo, returns it with a note; the note reaches
the officer's phone; the officer fixes and completes it again; the supervisor approves; the
phone shows it approved. Figures and the audited CSV export work; no serious or critical axe
violation on any supervisor screen; nothing from /api in CacheStorage; readable at 320 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Locator, Page, expect

from harness.browser import axe_violations, new_phone, type_enrolment_code
from harness.server import LiveServer
from tests.browser.test_officer_app import CRIME_REFERENCE, enrol, open_section, photo_bytes

SUPERVISOR = "2001"  # Sgt Alex Morgan, area scope (server/demo.py)
ADMIN = "9001"
DEMO_COMPLETED = "22/41871/26"  # a completed demo visit of PC Sam Patel
NOTE = "Add the CSI reference in Lines of enquiry, please."
CSI_REFERENCE = "CSI-7781"
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 360, "height": 780}


async def enrol_as(page: Page, server: LiveServer, collar: str, heading: str) -> None:
    """Enrol this browser's passkey for a collar number and wait for the first screen."""
    await type_enrolment_code(page, server.url, collar, server.enrolment_code(collar))
    await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(
        timeout=20_000
    )


async def check_axe(page: Page, where: str, found: dict[str, Any]) -> None:
    """Record serious or critical violations on this screen (asserted at the end)."""
    violations = await axe_violations(page)
    if violations:
        found[where] = violations


async def sync_now(page: Page) -> None:
    """Press "Sync now" on the officer's phone and wait until nothing is waiting."""
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("0", timeout=30_000)
    await expect(page.get_by_test_id("photos-waiting")).to_have_text("0", timeout=60_000)
    await expect(page.get_by_role("button", name="Sync now")).to_be_enabled(timeout=30_000)


async def no_sideways_scroll(page: Page) -> bool:
    """Nothing on the page is wider than the viewport."""
    return bool(
        await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


async def api_in_cache_storage(page: Page) -> list[str]:
    """Every CacheStorage entry under /api/ (there must be none)."""
    return list(
        await page.evaluate(
            """async () => {
                const found = [];
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const request of await cache.keys()) {
                        const path = new URL(request.url).pathname;
                        if (path.startsWith('/api/')) found.push(request.url);
                    }
                }
                return found;
            }"""
        )
    )


async def tick(page: Page, box: Locator) -> None:
    """Tick a radio button or checkbox the officer's app saves as it changes.

    A click, then a wait until it shows as ticked: the app renders the saved value, which
    lands a moment after the click (Playwright's ``check()`` looks at once and can fail).
    """
    await box.click()
    await expect(box).to_be_checked(timeout=10_000)


async def capture_visit(page: Page, photo: Path) -> None:
    """The officer starts and completes a visit online, with a photo, a kit and advice."""
    await page.get_by_role("button", name="Start visit").click()
    await page.get_by_label("Crime reference").fill(CRIME_REFERENCE)
    await page.get_by_label("Reported at").fill("2026-11-23T07:00")
    await open_section(page, "Attendance")
    await page.get_by_label("Arrived at").fill("2026-11-23T08:30")
    await open_section(page, "Place")
    await page.get_by_label("Address line 1").fill("14 Lansdowne Crescent")
    await page.get_by_label("Town").fill("Worcester")
    await page.get_by_label("Postcode").fill("wr3 8je")
    await page.get_by_label("Property type").select_option("semi")
    await open_section(page, "Victim")
    await page.get_by_label("Victim name").fill("Margaret Ellis")
    await tick(
        page,
        page.get_by_role("group", name="Victims' Code information given").get_by_label("Yes"),
    )
    await open_section(page, "Offence")
    await page.get_by_label("Offence type").select_option("dwelling")
    await open_section(page, "Photos")
    await page.locator("#photo-input").set_input_files(str(photo))
    await expect(page.locator(".photo-card, [data-testid=photo-card], figure")).to_have_count(
        1, timeout=15_000
    )
    await open_section(page, "SmartWater kits")
    await page.get_by_role("button", name="Add kit issued").click()
    await page.get_by_label("Kit code").first.fill("SW-445566")
    await page.get_by_label("Kit code").first.blur()
    await open_section(page, "Prevention advice")
    await tick(page, page.get_by_role("checkbox").first)
    await open_section(page, "Check and complete")
    await page.get_by_role("button", name="Complete visit").click()
    await expect(page.get_by_text("Visit completed.")).to_be_visible(timeout=10_000)


async def open_officer_visit(page: Page) -> None:
    """From the officer's list, open the visit."""
    await page.goto(page.url.split("#")[0] + "#/")
    await page.get_by_role("link", name=CRIME_REFERENCE).first.click()


async def test_return_fix_approve_loop_between_officer_phone_and_supervisor_workspace(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    found: dict[str, Any] = {}
    photo = tmp_path / "entry.jpg"
    photo.write_bytes(photo_bytes(11))

    # The officer completes a visit on the phone, with a photo, a kit and advice.
    officer_context, officer = await new_phone(browser, viewport=PHONE)
    await enrol(officer, live_server)
    # Officers never see the workspace.
    await expect(officer.get_by_role("link", name="Figures")).to_have_count(0)
    await capture_visit(officer, photo)
    await sync_now(officer)

    # The supervisor, on a tablet, with a passkey of their own.
    sup_context, sup = await new_phone(browser, viewport=TABLET, accept_downloads=True)
    await enrol_as(sup, live_server, SUPERVISOR, "Visits")
    main_nav = sup.get_by_role("navigation", name="Main")
    for name in ("Visits", "Figures", "Export"):
        await expect(main_nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    await expect(sup.get_by_role("button", name="Start visit")).to_have_count(0)
    await expect(sup.get_by_role("link", name=DEMO_COMPLETED)).to_be_visible()
    await check_axe(sup, "list", found)

    # A review refused by the server is shown: another supervisor returned this demo visit
    # while it was open here, so approving it is a 409 whose message the page shows.
    await sup.get_by_role("link", name=DEMO_COMPLETED).click()
    await expect(sup.get_by_role("button", name="Approve")).to_be_visible()
    status = await sup.evaluate(
        """async (id) => (await fetch(`/api/visits/${id}/review`, {
            method: 'POST',
            headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({decision: 'return', note: 'Returned elsewhere'}),
        })).status""",
        sup.url.rsplit("/", 1)[-1],
    )
    assert status == 200
    await sup.get_by_role("button", name="Approve").click()
    await expect(sup.get_by_role("alert")).to_contain_text(
        "Only a completed visit can be reviewed; this one is returned."
    )
    await expect(sup.locator("#sup-summary")).to_contain_text("Returned")
    await check_axe(sup, "review (409)", found)
    await sup.get_by_role("link", name="Back to visits").click()

    # Find the visit by its crime reference and open it.
    await sup.get_by_label("Crime reference").fill(CRIME_REFERENCE)
    await sup.get_by_label("Status").select_option("completed")
    await sup.get_by_role("button", name="Apply filters").click()
    await expect(sup.get_by_test_id("visit-count")).to_contain_text("1 visit matching")
    await expect(sup.get_by_role("link", name=DEMO_COMPLETED)).to_have_count(0)
    await check_axe(sup, "list filtered", found)
    await sup.get_by_role("link", name=CRIME_REFERENCE).click()
    await expect(
        sup.get_by_role("heading", name=f"Visit {CRIME_REFERENCE}", exact=True)
    ).to_be_visible()
    await expect(sup.get_by_role("region", name="Victim", exact=True)).to_contain_text(
        "Margaret Ellis"
    )
    await expect(sup.get_by_role("region", name="SmartWater kits (1)")).to_contain_text("SW-445566")
    thumb = sup.locator("img.sup-thumb")
    await expect(thumb).to_have_count(1)
    await expect(thumb).to_have_attribute("alt", "Scene overview photo 1")
    # The thumbnail really loads (derived on the server, fetched with the session cookie).
    await thumb.scroll_into_view_if_needed()
    await expect(thumb).to_have_js_property("complete", True, timeout=20_000)
    assert await thumb.evaluate("img => img.naturalWidth") > 0
    await expect(sup.get_by_role("link", name="Original of photo 1")).to_have_attribute(
        "href", re.compile(r"^/api/photos/[0-9a-f-]+/original$")
    )
    await check_axe(sup, "detail", found)

    # Returning needs a note: the error is visible and tied to the field.
    await sup.get_by_role("button", name="Return to officer").click()
    await expect(sup.get_by_text("Write a note for the officer saying what to fix")).to_be_visible()
    await expect(sup.get_by_label("Note for the officer")).to_have_attribute("aria-invalid", "true")
    await check_axe(sup, "review (note missing)", found)
    await sup.get_by_label("Note for the officer").fill(NOTE)
    await sup.get_by_role("button", name="Return to officer").click()
    await expect(sup.get_by_text("Visit returned to PC Sam Patel")).to_be_visible()
    await expect(sup.locator("#sup-summary")).to_contain_text("Returned")
    await check_axe(sup, "review (returned)", found)

    # The note reaches the officer's phone on the next sync.
    await sync_now(officer)
    await officer.goto(live_server.url + "/#/")
    await expect(officer.get_by_text(f"Supervisor: {NOTE}")).to_be_visible(timeout=15_000)

    # The officer fixes the visit and completes it again.
    await open_officer_visit(officer)
    await open_section(officer, "Lines of enquiry")
    await tick(officer, officer.get_by_role("group", name="CSI requested").get_by_label("Yes"))
    await officer.get_by_label("CSI reference").fill(CSI_REFERENCE)
    await officer.get_by_label("CSI reference").blur()
    await open_section(officer, "Check and complete")
    await officer.get_by_role("button", name="Complete visit").click()
    await expect(officer.get_by_text("Visit completed.")).to_be_visible()
    await sync_now(officer)

    # The supervisor sees it completed again, with the fix, and approves it.
    await sup.reload()
    await expect(sup.locator("#sup-summary")).to_contain_text("Completed", timeout=15_000)
    await expect(sup.get_by_text(CSI_REFERENCE).first).to_be_visible()
    await expect(sup.get_by_role("region", name="Previous reviews")).to_contain_text(NOTE)
    await sup.get_by_role("button", name="Approve").click()
    await expect(sup.get_by_text("Visit approved.")).to_be_visible()
    await expect(sup.locator("#sup-summary")).to_contain_text("Approved")
    await expect(sup.get_by_role("region", name="Revision history")).to_contain_text("Reviewed")
    await check_axe(sup, "review (approved)", found)

    # The officer's phone shows it approved.
    await sync_now(officer)
    await officer.goto(live_server.url + "/#/")
    await expect(officer.locator(".visit-row .status-approved")).to_have_text(
        "Approved", timeout=15_000
    )
    await officer_context.close()

    # Figures: the date range form, totals, charts with a table alternative.
    await main_nav.get_by_role("link", name="Figures", exact=True).click()
    await expect(sup.get_by_role("heading", name="Figures", exact=True)).to_be_visible()
    by_team = sup.get_by_role("table", name="Figures by team")
    await expect(by_team).to_contain_text("Worcester Response A", timeout=15_000)
    await expect(sup.locator("svg[role=img] title").first).to_be_attached()
    await check_axe(sup, "figures", found)
    await sup.get_by_label("Reported from").fill("2026-11-23")
    await sup.get_by_label("Reported to (inclusive)").fill("2026-11-23")
    await sup.get_by_role("button", name="Show figures").click()
    await expect(sup.get_by_role("table", name="Figures by officer")).to_contain_text(
        "PC Sam Patel (1234)"
    )
    await check_axe(sup, "figures (range)", found)
    await sup.get_by_label("Reported from").fill("2020-01-01")
    await sup.get_by_label("Reported to (inclusive)").fill("2020-01-31")
    await sup.get_by_role("button", name="Show figures").click()
    await expect(sup.locator(".sup-total").first).to_have_text("Visits0")
    await expect(sup.get_by_role("table", name="Figures by team")).to_contain_text(
        "No visits in this range."
    )
    await check_axe(sup, "figures (empty range)", found)

    # Export: a reason is required; then the CSV downloads.
    await main_nav.get_by_role("link", name="Export", exact=True).click()
    await expect(sup.get_by_role("heading", name="Export visits", exact=True)).to_be_visible()
    await sup.get_by_role("button", name="Download CSV").click()
    await expect(sup.get_by_role("alert")).to_contain_text("Enter the reason")
    await check_axe(sup, "export (no reason)", found)
    await sup.get_by_label("Crime reference").fill(CRIME_REFERENCE)
    await sup.get_by_label("Reason for export").fill("Monthly pledge return to the inspector")
    async with sup.expect_download() as download_info:
        await sup.get_by_role("button", name="Download CSV").click()
    download = await download_info.value
    csv_path = tmp_path / "export.csv"
    await download.save_as(csv_path)
    csv_text = csv_path.read_text(encoding="utf-8-sig")
    assert CRIME_REFERENCE in csv_text
    assert DEMO_COMPLETED not in csv_text  # the filter went with the download
    await expect(sup.get_by_text("Your download has started")).to_be_visible()
    await check_axe(sup, "export", found)

    # Nothing from /api is kept in CacheStorage.
    assert await api_in_cache_storage(sup) == []

    # Readable at 320 px: nothing scrolls sideways (tables scroll inside their own region).
    await sup.set_viewport_size({"width": 320, "height": 700})
    for hash_route, heading in (
        ("#/visits", "Visits"),
        ("#/figures", "Figures"),
        ("#/export", "Export visits"),
    ):
        await sup.goto(f"{live_server.url}/{hash_route}")
        await expect(sup.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        await sup.wait_for_timeout(300)
        assert await no_sideways_scroll(sup), f"{hash_route} scrolls sideways at 320 px"
        await check_axe(sup, f"{hash_route} at 320 px", found)
    await sup.goto(f"{live_server.url}/#/visits?crime_reference={CRIME_REFERENCE}")
    await sup.get_by_role("link", name=CRIME_REFERENCE).click()
    await expect(sup.locator("#sup-summary")).to_contain_text("Approved")
    assert await no_sideways_scroll(sup), "the visit scrolls sideways at 320 px"
    await check_axe(sup, "detail at 320 px", found)
    await sup_context.close()

    assert found == {}, f"serious or critical accessibility violations: {found}"


async def test_admin_sees_neither_workspace_nor_visit_capture(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await new_phone(browser, viewport=TABLET)
    await enrol_as(page, live_server, ADMIN, "Officers")  # the admin workspace
    await expect(page.get_by_role("link", name="Figures")).to_have_count(0)
    await expect(page.get_by_role("button", name="Start visit")).to_have_count(0)
    assert await axe_violations(page) == []
    await context.close()
