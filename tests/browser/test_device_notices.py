"""A device added to an officer's account is shown to them on the devices they already had
(issue 14 item 6, SECURITY.md 35), in a real Chromium.

An administrator may issue an enrolment code for anyone; with it they could enrol a passkey into
an account that sees victims' data. The holder's existing phone tells them at their next unlock
("A new device was added to your account on ... (label)"), once, until they answer it there;
"This was not me" revokes the new device at once.
"""

from __future__ import annotations

import uuid

from playwright.async_api import Browser, Page, expect

from harness.browser import axe_violations, new_phone, type_enrolment_code
from harness.server import LiveServer
from tests.browser.test_officer_app import enrol, unlock_with_pin_if_locked
from tests.browser.test_supervisor_workspace import SUPERVISOR, TABLET, enrol_as

OFFICER = "1234"
ADMIN = "9001"
NEW_PHONE = "Borrowed handset"


async def code_from_admin(browser: Browser, server: LiveServer, collar: str) -> str:
    """An administrator, signed in on their own device, issues a code for the officer."""
    _, page = await new_phone(browser)
    await type_enrolment_code(page, server.url, ADMIN, server.enrolment_code(ADMIN))
    await expect(page.get_by_role("heading", name="Officers")).to_be_visible(timeout=20_000)
    (officer_id,) = server.query("SELECT id FROM officer WHERE collar_number = ?", collar)[0]
    issued: dict[str, str] = await page.evaluate(
        """async (id) => {
            const r = await fetch(`/api/admin/officers/${id}/enrolment-codes`, {
                method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
            return {status: String(r.status), ...(await r.json())};
        }""",
        str(uuid.UUID(str(officer_id))),
    )
    assert issued["status"] == "201", issued
    return issued["code"]


async def enrol_second_phone(
    browser: Browser, server: LiveServer, code: str, collar: str = OFFICER
) -> Page:
    """Someone enrols another phone into the account with that code."""
    _, page = await new_phone(browser)
    await page.goto(server.url + "/")
    await page.get_by_label("Collar number").fill(collar)
    await page.get_by_label("One-time code").fill(code)
    await page.get_by_label("Name for this phone (optional)").fill(NEW_PHONE)
    await page.get_by_role("button", name="Enrol this phone").click()
    # The new phone is told about the phone the account already had.
    dialog = page.get_by_role("dialog", name="Your account already had another device")
    await expect(dialog).to_be_visible(timeout=20_000)
    return page


async def reopen(page: Page, server: LiveServer, heading: str = "My visits") -> None:
    """The holder opens the app again later: it starts locked and they unlock it."""
    async with page.expect_response(lambda r: r.url.endswith("/api/me"), timeout=30_000):
        await page.goto(server.url + "/")
        await unlock_with_pin_if_locked(page)
    await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(
        timeout=20_000
    )


def pending_on_server(server: LiveServer) -> int:
    """Notices about added devices not yet acknowledged."""
    rows = server.query(
        "SELECT COUNT(*) FROM device_notice WHERE kind = 'device_added' AND acknowledged_at IS NULL"
    )
    return int(rows[0][0])


async def test_new_device_is_shown_once_on_the_officers_phone_until_acknowledged(
    live_server: LiveServer, browser: Browser
) -> None:
    _, phone = await new_phone(browser)
    await enrol(phone, live_server, OFFICER, answer_notices=False)
    code = await code_from_admin(browser, live_server, OFFICER)
    await enrol_second_phone(browser, live_server, code)

    await reopen(phone, live_server)
    dialog = phone.get_by_role("dialog", name="A new device was added to your account")
    await expect(dialog).to_be_visible(timeout=20_000)
    await expect(dialog).to_contain_text("A new device was added to your account on")
    await expect(dialog).to_contain_text(f"({NEW_PHONE})")
    await expect(dialog).to_contain_text("Chris Webb")
    await expect(dialog).to_contain_text("tell your supervisor")
    violations = await axe_violations(phone)
    assert violations == [], violations

    await dialog.get_by_role("button", name="Yes, I added it").click()
    await expect(dialog).to_be_hidden()
    assert pending_on_server(live_server) == 0

    await reopen(phone, live_server)
    await expect(phone.get_by_role("dialog")).to_have_count(0)
    assert live_server.query(
        "SELECT COUNT(*) FROM device WHERE label = ? AND revoked_at IS NULL", NEW_PHONE
    ) == [(1,)]


async def test_device_the_officer_did_not_add_is_revoked_from_the_notice(
    live_server: LiveServer, browser: Browser
) -> None:
    _, phone = await new_phone(browser)
    await enrol(phone, live_server, OFFICER, answer_notices=False)
    code = await code_from_admin(browser, live_server, OFFICER)
    intruder = await enrol_second_phone(browser, live_server, code)

    await reopen(phone, live_server)
    dialog = phone.get_by_role("dialog", name="A new device was added to your account")
    await dialog.get_by_role("button", name="This was not me: revoke it").click()
    done = phone.get_by_role("dialog", name="That device has been revoked")
    await expect(done).to_contain_text(f"{NEW_PHONE} can no longer use your account")
    violations = await axe_violations(phone)
    assert violations == [], violations
    await done.get_by_role("button", name="OK").click()
    await expect(phone.get_by_role("dialog")).to_have_count(0)

    assert live_server.query(
        "SELECT COUNT(*) FROM device WHERE label = ? AND revoked_at IS NOT NULL", NEW_PHONE
    ) == [(1,)]
    # Its session ended with it: the new phone's next request is refused.
    assert await intruder.evaluate("fetch('/api/me').then((r) => r.status)") == 401


async def test_device_added_to_a_supervisors_account_is_shown_in_the_workspace(
    live_server: LiveServer, browser: Browser
) -> None:
    """The case the issue names: a supervisor sees victims' data, so an administrator's code for
    their account must not go unnoticed."""
    _, tablet = await new_phone(browser, viewport=TABLET)
    await enrol_as(tablet, live_server, SUPERVISOR, "Visits")
    code = await code_from_admin(browser, live_server, SUPERVISOR)
    await enrol_second_phone(browser, live_server, code, SUPERVISOR)

    await reopen(tablet, live_server, "Visits")
    dialog = tablet.get_by_role("dialog", name="A new device was added to your account")
    await expect(dialog).to_contain_text(f"({NEW_PHONE})", timeout=20_000)
    await expect(dialog).to_contain_text("Chris Webb")
    violations = await axe_violations(tablet)
    assert violations == [], violations
    await dialog.get_by_role("button", name="Yes, I added it").click()
    await expect(tablet.get_by_role("dialog")).to_have_count(0)
    assert pending_on_server(live_server) == 0
