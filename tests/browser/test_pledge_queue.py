"""The pledge queue in a real Chromium (issue 16): the supervisor assigns a reported burglary
(first to a team, then reassigned to an officer) and closes another as a duplicate, in the
queue; the officer's phone is offline meanwhile (CDP network emulation on the page and on its
service worker). On reconnect the report reaches the phone, "Start visit" gives a visit
prefilled from it and linked to it, with the address's earlier burglaries checked online (and
"could not be checked" offline); once completed and synced, the report is visited. No serious
or critical axe violation on any of these screens."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Browser, Page, expect

from harness.browser import new_phone
from harness.network import Signal
from harness.server import LiveServer
from tests.browser.test_officer_app import enrol, open_section
from tests.browser.test_supervisor_workspace import (
    SUPERVISOR,
    TABLET,
    check_axe,
    enrol_as,
    sync_now,
    tick,
)

WAITING = "22/42101/26"  # demo: 8 Tolladine Road, Grace Adeyemi, 2 h ago, nobody assigned
DUPLICATE = "22/42102/26"  # demo: Malvern, 30 h ago: overdue
OFFICER = "1234"
TEAM = "Worcester Response A"


def report_state(server: LiveServer, reference: str) -> tuple[Any, ...]:
    """A report's state, close reason and linked visit, as the server holds them."""
    rows = server.query(
        "SELECT state, close_reason, linked_visit_id, close_note FROM report"
        " WHERE reference_crime_reference = ?",
        reference,
    )
    return rows[0]


async def choose(page: Page, row: Any, label: str, text: str) -> None:
    """Pick the option of a select whose text contains ``text``."""
    select = row.get_by_label(label)
    value = await select.locator("option", has_text=text).first.get_attribute("value")
    await select.select_option(value)


async def supervise_queue(sup: Page, server: LiveServer, found: dict[str, Any]) -> None:
    """Assign WAITING to the team, reassign it to the officer; close DUPLICATE with a reason."""
    await sup.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    await expect(sup.get_by_role("heading", name="Reports awaiting a visit")).to_be_visible()
    overdue = sup.locator("li.sup-queue-row", has_text=DUPLICATE)
    await expect(overdue.get_by_text("Overdue")).to_be_visible(timeout=15_000)
    await check_axe(sup, "queue", found)

    row = sup.locator("li.sup-queue-row", has_text=WAITING)
    await expect(row).to_contain_text("Assigned to: Nobody")
    await choose(sup, row, "Assign to", TEAM)
    await row.get_by_role("button", name="Assign", exact=True).click()
    await expect(sup.locator(".sup-queue [role=status]")).to_contain_text(f"{WAITING} assigned.")
    await expect(row).to_contain_text(f"{TEAM} (nobody named)")
    await choose(sup, row, "Reassign to", f"({OFFICER})")
    await row.get_by_role("button", name="Reassign", exact=True).click()
    await expect(row).to_contain_text(f"({OFFICER}).", timeout=15_000)

    # Closing needs a reason: the error is shown, then the report leaves the queue.
    await overdue.get_by_role("button", name="Close report").click()
    await expect(overdue.get_by_role("alert")).to_contain_text("Choose why")
    await check_axe(sup, "queue (reason missing)", found)
    await overdue.get_by_label("Close without a visit because").select_option("duplicate")
    await overdue.get_by_label("Note (optional)").fill("Same break-in as 22/42101/26")
    await overdue.get_by_role("button", name="Close report").click()
    status = sup.locator(".sup-queue [role=status]")
    await expect(status).to_contain_text(f"{DUPLICATE} closed without a visit")
    await expect(overdue).to_have_count(0)
    await check_axe(sup, "queue (after)", found)
    state = report_state(server, DUPLICATE)
    assert (state[0], state[1], state[3]) == ("closed", "duplicate", "Same break-in as 22/42101/26")


async def test_start_linked_visit_from_report_assigned_while_offline(
    live_server: LiveServer, browser: Browser
) -> None:
    found: dict[str, Any] = {}
    phone_context, phone = await new_phone(browser)
    await enrol(phone, live_server, collar=OFFICER)
    reports = phone.get_by_role("region", name="Reports assigned to me")
    await expect(reports).to_be_visible()
    await expect(reports).not_to_contain_text(WAITING)
    signal = await Signal.of(browser, phone, live_server.url)
    await signal.offline()

    sup_context, sup = await new_phone(browser, viewport=TABLET)
    await enrol_as(sup, live_server, SUPERVISOR, "Visits")
    await supervise_queue(sup, live_server, found)

    # Offline, the phone cannot know yet; a visit started there cannot check its address.
    await expect(reports).not_to_contain_text(WAITING)
    await (
        phone.get_by_role("region", name="My visits")
        .get_by_role("button", name="Start visit")
        .click()
    )
    await open_section(phone, "Place")
    await phone.get_by_label("Address line 1").fill("8 Tolladine Road")
    await phone.get_by_label("Postcode").fill("WR4 9AB")
    await phone.get_by_label("Postcode").blur()
    await expect(phone.get_by_test_id("address-history")).to_contain_text(
        "could not be checked: the phone is offline", timeout=15_000
    )
    await phone.goto(live_server.url + "/#/")

    # Signal back: the report arrives by itself.
    await signal.online()
    report = reports.locator("li", has_text=WAITING)
    await expect(report).to_be_visible(timeout=60_000)
    await expect(report).to_contain_text("8 Tolladine Road, WR4 9AB - Grace Adeyemi")
    await check_axe(phone, "reports assigned", found)

    # "Start visit" from the report: prefilled and linked.
    await report.get_by_role("button", name="Start visit").click()
    await expect(phone.get_by_label("Crime reference")).to_have_value(WAITING)
    assert await phone.get_by_label("Reported at").input_value() != ""
    history = phone.get_by_test_id("address-history")
    # Online, the address is checked (the draft started offline there counts, if synced yet).
    checked = re.compile(r"No earlier reports or visits|earlier burglar(y|ies) at this address")
    await expect(history).to_contain_text(checked, timeout=30_000)
    await check_axe(phone, "visit from a report", found)
    await open_section(phone, "Place")
    await expect(phone.get_by_label("Address line 1")).to_have_value("8 Tolladine Road")
    await open_section(phone, "Victim")
    await expect(phone.get_by_label("Victim name")).to_have_value("Grace Adeyemi")
    code = phone.get_by_role("group", name="Victims' Code information given")
    await tick(phone, code.get_by_label("Yes"))
    await open_section(phone, "Check and complete")
    await phone.get_by_role("button", name="Complete visit").click()
    await expect(phone.get_by_text("Visit completed.")).to_be_visible(timeout=10_000)
    await sync_now(phone)

    state, _, visit_id, _ = report_state(live_server, WAITING)
    assert state == "visited"
    visits = live_server.query(
        "SELECT status, reference_report_id, victim_name FROM visit WHERE id = ?", visit_id
    )
    assert visits[0][0] == "completed"
    assert visits[0][2] == "Grace Adeyemi"
    await phone.goto(live_server.url + "/#/")
    await expect(reports).not_to_contain_text(WAITING, timeout=15_000)
    await phone_context.close()

    # The figures: every reported burglary in scope, filtered by week and offence type.
    await sup.get_by_role("navigation", name="Main").get_by_role("link", name="Figures").click()
    totals = sup.get_by_test_id("pledge-totals")
    await expect(totals).to_contain_text("Reported", timeout=15_000)
    await expect(sup.get_by_role("table", name="Reported burglaries by week")).to_be_visible()
    await check_axe(sup, "figures", found)
    await sup.get_by_label("Week reported").fill("2026-11-18")
    await sup.get_by_label("Reported from").fill("2026-11-16")
    await sup.get_by_role("button", name="Show figures").click()
    await expect(sup.get_by_text("Choose a week or a date range, not both")).to_be_visible()
    await check_axe(sup, "figures (week and dates)", found)
    await sup.get_by_label("Reported from").fill("")
    await sup.get_by_label("Week reported").fill("")
    await sup.get_by_label("Offence type").select_option("attempted")
    await sup.get_by_role("button", name="Show figures").click()
    await expect(totals).to_contain_text("Reported0Visited0", timeout=15_000)
    await sup_context.close()
    assert found == {}, f"serious or critical accessibility violations: {found}"
