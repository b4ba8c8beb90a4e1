"""The administrator's and the auditor's workspaces in a real Chromium (issue 18): on a tablet,
an administrator creates an officer (the enrolment code shown once, and it enrols a phone),
edits the leave-behind contact details, moves the officer to a new team, revokes the phone,
deactivates and reactivates the account, imports officers from a CSV file with a bad row shown,
creates and renames teams and areas, reassigns and erases a visit, and adds, edits and retires
advice; an auditor created there reads a visit's audit; a supervisor reads the audit from the
visit page and downloads the complete export. Every error from the API is shown naming its
field; no serious or critical axe violation on any screen."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from harness.browser import new_phone, type_enrolment_code
from harness.server import LiveServer
from tests.browser.test_supervisor_workspace import (
    ADMIN,
    DEMO_COMPLETED,
    SUPERVISOR,
    TABLET,
    check_axe,
    enrol_as,
    no_sideways_scroll,
)

ADMIN_TABLET = {"width": 800, "height": 1100}
NEW_COLLAR = "3101"
NEW_NAME = "PC Robin Hale"
AUDITOR_COLLAR = "8801"
ERASE_REASON = "Entered against the wrong crime reference"


def visits_of(server: LiveServer, collar: str) -> list[str]:
    """The ids of an officer's visits that are not erased, oldest first."""
    rows = server.query(
        "SELECT v.id FROM visit v JOIN officer o ON o.id = v.officer_id"
        " WHERE o.collar_number = ? AND v.erased_at IS NULL ORDER BY v.created_at",
        collar,
    )
    return [str(r[0]) for r in rows]


async def go(page: Page, server: LiveServer, route: str, heading: str) -> None:
    """Open a workspace route and wait for its heading."""
    await page.goto(f"{server.url}/#/{route}")
    await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


async def create_account(page: Page, collar: str, name: str, role: str, team: str) -> str:
    """Fill "Create an officer" and return the enrolment code it shows once."""
    await page.get_by_label("Collar number").fill(collar)
    await page.get_by_label("Name shown in the app").fill(name)
    await page.get_by_label("Role").select_option(role)
    await page.get_by_label("Team", exact=True).fill(team)
    await page.get_by_role("button", name="Create the officer").click()
    code = page.get_by_test_id("enrolment-code")
    await expect(code).to_be_visible(timeout=15_000)
    return (await code.inner_text()).strip()


async def test_administer_accounts_places_visits_and_advice_in_admin_workspace(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    found: dict[str, Any] = {}
    context, page = await new_phone(browser, viewport=ADMIN_TABLET)
    await enrol_as(page, live_server, ADMIN, "Officers")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Officers", "Import", "Teams and areas", "Visits", "Advice"):
        await expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Start visit")).to_have_count(0)
    await expect(page.get_by_role("row", name=re.compile("PC Sam Patel"))).to_be_visible()
    await page.get_by_label("Find by name or collar number").fill("567")
    await expect(page.get_by_test_id("officer-count")).to_have_text("1 account")
    await expect(page.get_by_role("row", name=re.compile("PCSO Jo Evans"))).to_be_visible()
    await page.get_by_label("Find by name or collar number").fill("")
    assert await no_sideways_scroll(page), "the officers list scrolls sideways at 800 px"
    await check_axe(page, "officers", found)

    # Create an officer: a bad e-mail is refused naming the field, a taken collar number too.
    await page.get_by_role("link", name="Create an officer").click()
    await expect(page.get_by_role("heading", name="Create an officer")).to_be_visible()
    await page.get_by_label("Collar number").fill("1234")
    await page.get_by_label("Name shown in the app").fill(NEW_NAME)
    await page.get_by_label("Team", exact=True).fill("Worcester Response A")
    await page.get_by_label("Contact e-mail (leave-behind)").fill("not-an-address")
    await page.get_by_role("button", name="Create the officer").click()
    await expect(page.get_by_role("alert")).to_contain_text("Contact e-mail (leave-behind):")
    await expect(page.get_by_label("Contact e-mail (leave-behind)")).to_have_attribute(
        "aria-invalid", "true"
    )
    await check_axe(page, "create (invalid)", found)
    await page.get_by_label("Contact e-mail (leave-behind)").fill("")
    await page.get_by_role("button", name="Create the officer").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "Collar number: collar number 1234 already exists"
    )
    await expect(page.get_by_label("Collar number")).to_be_focused()
    code = await create_account(page, NEW_COLLAR, NEW_NAME, "officer", "Worcester Response A")
    assert re.fullmatch(r"[A-Za-z0-9-]{6,}", code), code
    await check_axe(page, "create (code shown)", found)
    await page.get_by_role("button", name="I have passed it on: hide the code").click()
    await expect(page.get_by_test_id("enrolment-code")).to_have_count(0)
    await expect(page.get_by_text(code)).to_have_count(0)

    # The code enrols the new officer's phone.
    phone_context, phone = await new_phone(browser)
    await type_enrolment_code(phone, live_server.url, NEW_COLLAR, code)
    await expect(phone.get_by_role("heading", name="My visits")).to_be_visible(timeout=20_000)

    # Their account: edit the leave-behind contact details (the code is not shown again).
    await page.get_by_role("link", name=f"{NEW_NAME} ({NEW_COLLAR})").click()
    await expect(page.get_by_role("heading", name=f"{NEW_NAME} ({NEW_COLLAR})")).to_be_visible()
    await expect(page.get_by_test_id("enrolment-code")).to_have_count(0)
    edit = page.get_by_role("region", name="Edit the account")
    await edit.get_by_label("Contact phone (leave-behind)").fill("abc")
    await edit.get_by_role("button", name="Save changes").click()
    await expect(edit.get_by_role("alert")).to_contain_text("Contact phone (leave-behind):")
    await edit.get_by_label("Contact phone (leave-behind)").fill("01905 000 303")
    await edit.get_by_label("Contact e-mail (leave-behind)").fill("robin.hale@police.example")
    await edit.get_by_role("button", name="Save changes").click()
    await expect(edit.get_by_text("Saved.")).to_be_visible()
    summary = page.locator("#admin-officer-summary")
    await expect(summary).to_contain_text("robin.hale@police.example")
    await expect(summary).to_contain_text("01905 000 303")
    await check_axe(page, "officer", found)

    # Their device, revoked with a reason (a reason is required).
    devices = page.get_by_role("region", name="Devices")
    await expect(devices.get_by_role("button", name="Revoke this device")).to_have_count(1)
    await devices.get_by_role("button", name="Revoke this device").click()
    await expect(devices.get_by_role("alert")).to_contain_text("Enter the reason")
    await devices.get_by_label(re.compile("^Reason to revoke")).fill("Phone reported lost")
    await devices.get_by_role("button", name="Revoke this device").click()
    await expect(devices.get_by_text("Device revoked.")).to_be_visible()
    await expect(devices.get_by_role("heading", name=re.compile(r"\(revoked\)"))).to_be_visible()
    revoked = live_server.query(
        "SELECT count(*) FROM device d JOIN officer o ON o.id = d.officer_id"
        " WHERE o.collar_number = ? AND d.revoked_at IS NOT NULL",
        NEW_COLLAR,
    )
    assert revoked == [(1,)]
    await check_axe(page, "device revoked", found)
    # The revoked phone wipes itself at its next contact.
    await phone.get_by_role("button", name="Sync now").click()
    await expect(
        phone.get_by_text("Doorstep's data has been removed from this phone")
    ).to_be_visible(timeout=30_000)
    await phone_context.close()

    # Deactivate (sessions end, records stay), then reactivate.
    status = page.get_by_role("region", name="Deactivate the account")
    await status.get_by_label("Reason to deactivate").fill("Left the force")
    await status.get_by_role("button", name="Deactivate").click()
    await expect(page.get_by_text("Deactivated. Every session has ended")).to_be_visible()
    await expect(summary).to_contain_text("Deactivated")
    reactivate = page.get_by_role("region", name="Reactivate the account")
    await reactivate.get_by_label("Reason to reactivate").fill("Rejoined")
    await reactivate.get_by_role("button", name="Reactivate").click()
    await expect(page.get_by_text("Reactivated.")).to_be_visible()
    await expect(summary).to_contain_text("Active")
    await check_axe(page, "reactivated", found)

    # Teams and areas: create an area and a team in it, rename the team; a taken name is shown.
    await nav.get_by_role("link", name="Teams and areas").click()
    await expect(page.get_by_role("heading", name="Teams and areas", exact=True)).to_be_visible()
    await page.get_by_label("Area name").fill("Wyre Forest")
    await page.get_by_role("button", name="Create the area").click()
    await expect(page.get_by_role("status")).to_contain_text("Area Wyre Forest created.")
    await page.get_by_label("Team name").fill("Kidderminster Response")
    await page.get_by_label("Area of the team").fill("Wyre Forest")
    await page.get_by_role("button", name="Create the team").click()
    await expect(page.get_by_role("status")).to_contain_text("Team Kidderminster Response created")
    await page.get_by_label("Team name").fill("Malvern Neighbourhood")
    await page.get_by_label("Area of the team").fill("Wyre Forest")
    await page.get_by_role("button", name="Create the team").click()
    await expect(page.get_by_role("alert")).to_contain_text("Team name: team Malvern")
    await page.get_by_role("button", name="Rename team Kidderminster Response").click()
    await page.get_by_label("New name for team Kidderminster Response").fill("Wyre Forest Response")
    await page.get_by_role("button", name="Save the name").click()
    await expect(page.get_by_role("status")).to_contain_text("Team renamed to Wyre Forest Response")
    await expect(page.get_by_role("list", name="Teams")).to_contain_text("Wyre Forest Response")
    await check_axe(page, "teams and areas", found)

    # Move the new officer to that team.
    await go(page, live_server, "admin/officers", "Officers")
    await page.get_by_role("link", name=NEW_NAME).click()
    move = page.get_by_role("region", name="Move to another team")
    await move.get_by_role("button", name="Move").click()
    await expect(move.get_by_role("alert")).to_contain_text("New team: Choose the team")
    await move.get_by_label("New team").select_option(label="Wyre Forest Response (Wyre Forest)")
    await move.get_by_label("Reason for the move").fill("Posting")
    await move.get_by_role("button", name="Move").click()
    await expect(move.get_by_role("status")).to_contain_text("Moved to Wyre Forest Response")
    await expect(summary).to_contain_text("Wyre Forest")
    await check_axe(page, "moved", found)

    # Bulk import: a file without a required column is refused; a bad row is shown, the good
    # one created.
    await nav.get_by_role("link", name="Import").click()
    await expect(page.get_by_role("heading", name="Import officers", exact=True)).to_be_visible()
    bad_header = tmp_path / "no-role.csv"
    bad_header.write_text("collar_number,display_name,team\n3201,PC A,Malvern Neighbourhood\n")
    await page.get_by_label("CSV file").set_input_files(str(bad_header))
    await page.get_by_role("button", name="Check the file").click()
    await expect(page.get_by_role("alert")).to_contain_text("CSV file: The header row")
    await expect(page.get_by_role("alert")).to_contain_text("role")
    await check_axe(page, "import (bad header)", found)
    people = tmp_path / "officers.csv"
    people.write_text(
        "collar_number,display_name,role,team,contact_phone\n"
        "3202,PC Dana Lee,officer,Malvern Neighbourhood,01684 000 404\n"
        "3203,PC Eli Shaw,constable,Malvern Neighbourhood,\n"
    )
    await page.get_by_label("CSV file").set_input_files(str(people))
    await page.get_by_role("button", name="Check the file").click()
    await expect(page.get_by_test_id("import-summary")).to_contain_text(
        "1 row is ready to import; 1 row has problems"
    )
    await page.get_by_role("button", name="Import", exact=True).click()
    await expect(page.get_by_test_id("import-summary")).to_contain_text(
        "1 account created; 1 row not created"
    )
    bad_row = page.get_by_role("row", name=re.compile("^3 3203"))
    await expect(bad_row).to_contain_text("Not created")
    await expect(bad_row).to_contain_text("role")
    await expect(page.get_by_role("row", name=re.compile("^2 3202"))).to_contain_text("Created")
    assert live_server.query("SELECT count(*) FROM officer WHERE collar_number='3202'") == [(1,)]
    assert live_server.query("SELECT count(*) FROM officer WHERE collar_number='3203'") == [(0,)]
    await check_axe(page, "import (rows)", found)

    # Reassign a visit: an unknown visit is a visible error; then PC Sam Patel's visit goes to
    # PCSO Jo Evans.
    sam_visits = visits_of(live_server, "1234")
    moved_visit, erased_visit = sam_visits[0], sam_visits[1]
    await nav.get_by_role("link", name="Visits").click()
    await expect(page.get_by_role("heading", name="Visits", exact=True)).to_be_visible()
    reassign = page.get_by_role("region", name="Reassign a visit")
    await reassign.get_by_label("Visit id").fill("00000000-0000-4000-8000-000000000000")
    await reassign.get_by_label("Give it to").select_option(
        label="PCSO Jo Evans (5678), Malvern Neighbourhood"
    )
    await reassign.get_by_label("Reason for reassigning").fill("Officer on long leave")
    await reassign.get_by_role("button", name="Reassign the visit").click()
    await expect(reassign.get_by_role("alert")).to_contain_text("Not reassigned")
    await reassign.get_by_label("Visit id").fill(moved_visit.upper())
    await reassign.get_by_role("button", name="Reassign the visit").click()
    await expect(reassign.get_by_role("status")).to_contain_text("PCSO Jo Evans")
    owner = live_server.query(
        "SELECT o.collar_number FROM visit v JOIN officer o ON o.id = v.officer_id WHERE v.id = ?",
        moved_visit,
    )
    assert owner == [("5678",)]
    await check_axe(page, "reassigned", found)

    # Erase a visit: a reason of at least 10 characters, then a confirmation.
    erase = page.get_by_role("region", name="Erase a visit")
    await erase.get_by_label("Visit id to erase").fill(erased_visit)
    await erase.get_by_label("Basis for erasure").select_option("recorded_in_error")
    await erase.get_by_label("Reason for erasure").fill("Wrong")
    await erase.get_by_role("button", name="Erase the visit…").click()
    await expect(erase.get_by_role("alert")).to_contain_text("Reason for erasure: At least 10")
    await erase.get_by_label("Reason for erasure").fill(ERASE_REASON)
    await erase.get_by_role("button", name="Erase the visit…").click()
    confirm = erase.get_by_role("group", name=f"Erase visit {erased_visit}?")
    await expect(confirm).to_be_visible()
    assert visits_of(live_server, "1234").count(erased_visit) == 1  # nothing erased yet
    await check_axe(page, "erase (confirm)", found)
    await confirm.get_by_role("button", name="Yes, erase it for good").click()
    await expect(erase.get_by_role("status")).to_contain_text(f"Visit {erased_visit} erased")
    assert erased_visit not in visits_of(live_server, "1234")
    await check_axe(page, "erased", found)
    await expect(page.get_by_role("table", name="Retention periods")).to_be_visible()

    # The advice catalogue: add, edit (a new version), retire.
    await nav.get_by_role("link", name="Advice").click()
    await expect(page.get_by_role("heading", name="Advice catalogue", exact=True)).to_be_visible()
    add = page.get_by_role("form", name="Add an advice item")
    await add.get_by_role("button", name="Add the item").click()
    await expect(add.get_by_role("alert")).to_contain_text("Category: Enter the category")
    await add.get_by_label("Category").fill("Sheds")
    await add.get_by_label("Title").fill("Lock the shed")
    await add.get_by_label("Advice text").fill("Fit a closed-shackle padlock to the shed door.")
    await add.get_by_label("Tags").fill("garden, sheds")
    await add.get_by_role("button", name="Add the item").click()
    await expect(page.get_by_role("status")).to_contain_text("Lock the shed added")
    await check_axe(page, "advice (added)", found)
    await page.get_by_role("button", name="Edit Lock the shed").click()
    edit_advice = page.get_by_role("form", name="Edit Lock the shed")
    await edit_advice.get_by_label("Title").fill("Lock the shed and the garage")
    await edit_advice.get_by_role("button", name="Publish a new version").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Version 2 of Lock the shed and the garage published"
    )
    await expect(page.get_by_text("Earlier versions (1)")).to_be_visible()
    await page.get_by_role("button", name="Retire Lock the shed and the garage").click()
    await page.get_by_label("Why Lock the shed and the garage is retired").fill("Merged")
    await page.get_by_role("button", name="Retire the item").click()
    await expect(page.get_by_role("status")).to_contain_text("retired: no longer offered")
    await expect(
        page.get_by_role("heading", name="Lock the shed and the garage (retired)")
    ).to_be_visible()
    rows = live_server.query(
        "SELECT item_version, current, retired FROM advice_catalogue"
        " WHERE title LIKE 'Lock the shed%' ORDER BY item_version"
    )
    assert rows == [(1, 0, 0), (2, 1, 1)], rows
    await check_axe(page, "advice (retired)", found)

    # An auditor account; its code enrols the auditor, who reads the erased visit's audit.
    await go(page, live_server, "admin/officers/new", "Create an officer")
    auditor_code = await create_account(
        page, AUDITOR_COLLAR, "Pat Auditor", "auditor", "Worcester Response A"
    )
    await context.close()
    aud_context, aud = await new_phone(browser, viewport=TABLET)
    await type_enrolment_code(aud, live_server.url, AUDITOR_COLLAR, auditor_code)
    await expect(aud.get_by_role("heading", name="A visit's audit", exact=True)).to_be_visible(
        timeout=20_000
    )
    await expect(aud.get_by_role("button", name="Start visit")).to_have_count(0)
    await check_axe(aud, "auditor", found)
    await aud.get_by_label("Visit id").fill("not an id")
    await aud.get_by_role("button", name="Show the audit trail").click()
    await expect(aud.get_by_role("alert")).to_contain_text("Visit id: A visit id looks like")
    await aud.get_by_label("Visit id").fill(erased_visit)
    await aud.get_by_role("button", name="Show the audit trail").click()
    trail = aud.get_by_test_id("audit-table")
    await expect(trail).to_contain_text("Erased", timeout=15_000)
    await expect(trail).to_contain_text("Chris Webb (administrator) (9001)")
    await expect(trail).to_contain_text(ERASE_REASON)
    await check_axe(aud, "auditor (trail)", found)
    await aud.get_by_role("link", name="Search the audit log").click()
    await aud.get_by_label("What").select_option("erase")
    await aud.get_by_role("button", name="Search").click()
    await expect(aud.get_by_test_id("audit-table")).to_contain_text(erased_visit)
    await check_axe(aud, "auditor (log)", found)
    await aud_context.close()

    assert found == {}, f"serious or critical accessibility violations: {found}"


async def test_read_visit_audit_and_download_complete_export_as_supervisor(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    found: dict[str, Any] = {}
    context, sup = await new_phone(browser, viewport=TABLET, accept_downloads=True)
    await enrol_as(sup, live_server, SUPERVISOR, "Visits")
    await sup.get_by_role("link", name=DEMO_COMPLETED).click()
    audit = sup.get_by_role("region", name="Audit", exact=True)
    visit_id = sup.url.rsplit("/", 1)[-1]
    await expect(audit.get_by_test_id("visit-id")).to_have_text(visit_id)
    await audit.get_by_role("button", name="Show the audit trail").click()
    trail = audit.get_by_test_id("audit-table")
    await expect(trail).to_contain_text("Viewed", timeout=15_000)
    await expect(trail).to_contain_text("Sgt Alex Morgan (2001)")
    await check_axe(sup, "visit audit", found)

    # The complete export: every collection as CSV files in a zip, with the reason required.
    await sup.get_by_role("link", name="Export", exact=True).click()
    await sup.get_by_label("Complete export: every collection as CSV files in a zip").check()
    await sup.get_by_role("button", name="Download zip").click()
    await expect(sup.get_by_role("alert")).to_contain_text("Enter the reason")
    await sup.get_by_label("Reason for export").fill("Force analyst's quarterly review")
    async with sup.expect_download() as download_info:
        await sup.get_by_role("button", name="Download zip").click()
    download = await download_info.value
    path = tmp_path / "export.zip"
    await download.save_as(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        names = archive.namelist()
        visits_csv = archive.read(next(n for n in names if n.startswith("visits"))).decode()
    assert {"visits.csv", "property_items.csv", "photos.csv", "advice_ticks.csv"} <= set(names)
    assert DEMO_COMPLETED in visits_csv
    await check_axe(sup, "export (zip)", found)
    await context.close()
    assert found == {}, f"serious or critical accessibility violations: {found}"
