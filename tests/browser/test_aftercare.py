"""After the visit in a real Chromium (issue 17): an addendum added offline to a completed visit
syncs on reconnect and appears in the supervisor's visit page; a draft refuses addenda with the
reason on screen; the Welsh leave-behind (texts served by the force, survey link and QR code)
is axe clean and recorded as given; its survey link opens the public page, which takes one
answer and refuses the second."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.async_api import Browser, Page, expect

from harness.browser import axe_violations, new_phone
from harness.ports import free_port
from harness.server import PWA_DIST, LiveServer
from server.aftercare.content import render_text
from server.aftercare.enums import Language
from server.aftercare.messages import LEAVE_BEHIND, SURVEY
from tests.browser.test_officer_app import enrol, open_section
from tests.browser.test_supervisor_workspace import (
    PHONE,
    SUPERVISOR,
    TABLET,
    enrol_as,
    no_sideways_scroll,
    sync_now,
)
from tests.server.aftercare.test_mail import Mailbox

CCTV = "CCTV or other evidence collected, CCTV, exhibit EX-CCTV-1"
COMPLETED = "22/41871/26"  # a completed demo visit of PC Sam Patel (collar 1234)
DRAFT = "22/42010/26"  # a draft demo visit of PC Sam Patel
CY = LEAVE_BEHIND[Language.CY]
WELSH_MONTHS = [
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
]
CY_SURVEY = SURVEY[Language.CY]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def welsh_server(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Iterator[LiveServer]:
    """The demo served by a force in Wales (leave-behinds in Welsh and English), sending
    emailed leave-behinds through the local SMTP server every second."""
    if not (PWA_DIST / "index.html").is_file():
        raise RuntimeError("pwa/dist is not built: npm run build in pwa/")
    server = LiveServer(tmp_path)
    server.env.update(
        DOORSTEP_LEAVE_BEHIND_LANGUAGES="cy,en",
        DOORSTEP_SMTP_HOST="127.0.0.1",
        DOORSTEP_SMTP_PORT=str(mailbox[1]),
        DOORSTEP_SMTP_STARTTLS="false",
        DOORSTEP_SMTP_FROM="doorstep@example.police.uk",
        DOORSTEP_MAIL_POLL_SECONDS="1",
    )
    server.seed_demo()
    with server:
        yield server


async def open_aftercare(page: Page, crime_reference: str) -> None:
    """From the officer's list, open a visit's "After the visit" section."""
    await page.goto(page.url.split("#")[0] + "#/")
    await page.get_by_role("link", name=crime_reference).first.click(timeout=30_000)
    await open_section(page, "After the visit")
    await expect(page.get_by_role("heading", name="After the visit", exact=True)).to_be_visible()


async def test_add_addendum_offline_completed_visit_syncs_and_shows_supervisor(
    live_server: LiveServer, browser: Browser
) -> None:
    found: dict[str, Any] = {}
    context, page = await new_phone(browser, viewport=PHONE)
    await enrol(page, live_server)
    await expect(page.get_by_role("link", name=COMPLETED).first).to_be_visible(timeout=30_000)

    # No signal: the phone and the server cannot reach each other.
    await context.set_offline(True)
    live_server.stop()

    # A draft is still editable: a follow-up there is refused, with the reason.
    await open_aftercare(page, DRAFT)
    refused = page.get_by_test_id("addenda-refused")
    await expect(refused).to_be_visible()
    await expect(refused).to_contain_text("edit the visit instead")
    await expect(page.get_by_role("button", name="Add follow-up")).to_have_count(0)

    # The completed visit takes one, offline.
    await open_aftercare(page, COMPLETED)
    await page.get_by_role("button", name="Add follow-up").click()
    await expect(page.get_by_role("alert")).to_contain_text("Choose what this follow-up records")
    await page.get_by_label("What happened").select_option("evidence_collected")
    await page.get_by_role("button", name="Add follow-up").click()
    missing = page.get_by_text("Choose what kind of evidence was collected").first
    await expect(missing).to_be_visible()
    await page.get_by_label("Evidence", exact=True).select_option("cctv")
    await page.get_by_label("Exhibit reference (optional)").fill("EX-CCTV-1")
    await page.get_by_label("Details (optional)").fill("Doorbell footage from number 16")
    await page.get_by_role("button", name="Add follow-up").click()
    addenda = page.get_by_test_id("addenda")
    await expect(addenda).to_contain_text(CCTV)
    await expect(addenda).to_contain_text("Waiting to sync")
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("1")
    violations = await axe_violations(page)
    if violations:
        found["aftercare (offline)"] = violations

    # Signal again: it syncs, and the server holds it as an addendum of that visit.
    live_server.start()
    await context.set_offline(False)
    await sync_now(page)
    await expect(addenda).not_to_contain_text("Waiting to sync", timeout=30_000)
    rows = live_server.query(
        "SELECT a.kind, a.evidence_kind, a.exhibit_reference, a.text FROM addendum a "
        "JOIN visit v ON v.id = a.visit_id WHERE v.reference_crime_reference = ?",
        COMPLETED,
    )
    assert rows == [("evidence_collected", "cctv", "EX-CCTV-1", "Doorbell footage from number 16")]
    # The sealed visit itself did not change.
    assert live_server.query(
        "SELECT status FROM visit WHERE reference_crime_reference = ?", COMPLETED
    ) == [("completed",)]

    # The supervisor sees it in the visit's page.
    _, sup = await new_phone(browser, viewport=TABLET)
    await enrol_as(sup, live_server, SUPERVISOR, "Visits")
    await sup.get_by_role("link", name=COMPLETED).first.click()
    region = sup.get_by_role("region", name="After the visit", exact=True)
    await expect(region).to_contain_text(CCTV)
    await expect(region).to_contain_text("Doorbell footage from number 16")
    await expect(region).to_contain_text("PC Sam Patel")
    violations = await axe_violations(sup)
    if violations:
        found["supervisor visit"] = violations

    # The supervisor adds one online; it reaches the officer's phone at the next sync.
    await region.get_by_label("What happened").select_option("note")
    await region.get_by_role("button", name="Add follow-up").click()
    await expect(region.get_by_role("alert")).to_contain_text("Write the note")
    await region.get_by_label("Note", exact=True).fill("Forensic submission chased with CSI")
    await region.get_by_role("button", name="Add follow-up").click()
    await expect(region.get_by_test_id("sup-addenda")).to_contain_text(
        "Forensic submission chased with CSI"
    )
    await expect(region.get_by_test_id("sup-addenda")).to_contain_text("Sgt Alex Morgan")
    await sync_now(page)
    await expect(addenda).to_contain_text("Forensic submission chased with CSI", timeout=30_000)
    assert live_server.query("SELECT COUNT(*) FROM addendum") == [(2,)]
    assert found == {}


async def test_give_welsh_leave_behind_with_qr_then_survey_link_answers_once(
    welsh_server: LiveServer, mailbox: tuple[Mailbox, int], browser: Browser
) -> None:
    found: dict[str, Any] = {}
    context, page = await new_phone(browser, viewport=PHONE)
    await enrol(page, welsh_server)
    await open_aftercare(page, COMPLETED)
    await page.get_by_role("link", name="Leave-behind for the victim").click()

    # The force gives Welsh first: the page is the force's Welsh texts, with the link and QR.
    await expect(page.get_by_role("radio", name="Cymraeg (Welsh)")).to_be_checked()
    text = page.get_by_test_id("leave-behind-text")
    await expect(text).to_have_attribute("lang", "cy")
    await expect(page.get_by_role("heading", level=1)).to_have_text(CY["title"])
    for key in ("officer_heading", "next_heading", "victims_code_heading", "survey_heading"):
        await expect(text).to_contain_text(CY[key])
    await expect(text).to_contain_text("Daeth PC Sam Patel i'ch gweld ar")
    await expect(text).to_contain_text(f"Eich cyfeirnod trosedd yw {COMPLETED}.")
    qr = page.get_by_test_id("survey-qr")
    await expect(qr).to_be_visible()
    assert int(await qr.get_attribute("data-modules") or 0) >= 25
    match = re.search(r"http://\S+/s/([a-z2-7]{26})", await text.inner_text())
    assert match is not None
    link, token = match.group(0), match.group(1)
    assert link == f"{welsh_server.url}/s/{token}"
    assert await qr.get_attribute("aria-label") == f"{CY['survey_heading']}: {link}"
    violations = await axe_violations(page)
    if violations:
        found["leave-behind (Welsh)"] = violations
    await page.set_viewport_size({"width": 320, "height": 700})
    assert await no_sideways_scroll(page), "the leave-behind scrolls sideways at 320 px"
    await page.set_viewport_size(PHONE)

    # No signal at the door: shown to the victim and recorded; an email asked for, queued.
    await context.set_offline(True)
    welsh_server.stop()
    await page.get_by_role("button", name="Shown on screen").click()
    await expect(page.get_by_role("status").last).to_contain_text("Cymraeg")
    await page.get_by_label("Victim's email address").fill("not an address")
    await page.get_by_role("button", name="Email it to the victim").click()
    await expect(page.get_by_text("Enter the victim's email address")).to_be_visible()
    await page.get_by_label("Victim's email address").fill("margaret@example.org")
    await page.get_by_role("button", name="Email it to the victim").click()
    await expect(page.get_by_role("status").last).to_contain_text(
        "Queued on this phone: it is emailed to margaret@example.org after the next sync."
    )
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("2")
    welsh_server.start()
    await context.set_offline(False)
    await sync_now(page)
    rows = welsh_server.query(
        "SELECT language, content_version, survey_token_sha256, email_requested, email_to, text "
        "FROM leave_behind ORDER BY email_requested"
    )
    assert len(rows) == 2
    shown, emailed = rows
    assert shown[:5] == ("cy", 1, hashlib.sha256(token.encode()).hexdigest(), 0, None)
    assert "{survey_link}" in shown[5]
    assert token not in shown[5]
    # The phone renders exactly as the server's reference rendering (server.aftercare.content).
    visit_date = re.search(r"i'ch gweld ar (.+)\.\n", shown[5])
    assert visit_date is not None
    texts = {**CY, "force_name": "Demo Constabulary"}
    values = {
        "officer_name": "PC Sam Patel",
        "officer_phone": "01905 000 101",
        "officer_email": "",
        "crime_reference": COMPLETED,
        "visit_date": visit_date.group(1),
    }
    # Each item given as "title: body" (the advice itself, not only its name).
    ((title, body),) = welsh_server.query(
        "SELECT title, body FROM advice_catalogue WHERE title = ? AND current = 1",
        "Double-lock doors or fit deadbolts",
    )
    advice = [f"{title}: {body}"]
    assert shown[5] == render_text(texts, values, advice, survey=True)
    day, month, year = visit_date.group(1).split(" ")
    assert (day.isdigit(), month in WELSH_MONTHS, year.isdigit()) == (True, True, True)
    assert emailed[0] == "cy"
    assert emailed[2] is None
    assert emailed[3:5] == (1, "margaret@example.org")

    # The server sends it after the sync (in Welsh, with a link of its own), and the phone
    # learns it was sent at its next sync.
    inbox = mailbox[0]
    for _ in range(60):
        if inbox.received:
            break
        await page.wait_for_timeout(500)
    assert [rcpt for _, rcpt in inbox.envelopes] == [["margaret@example.org"]]
    body = inbox.received[0].get_body(preferencelist=("plain",))
    assert body is not None
    mailed = body.get_content()
    assert CY["title"] in mailed
    assert f"{welsh_server.url}/s/" in mailed
    assert token not in mailed
    assert "{survey_link}" not in mailed
    await page.goto(page.url.split("#")[0] + "#/")
    await open_aftercare(page, COMPLETED)
    await sync_now(page)
    history = page.get_by_role("region", name="History after the visit")
    await expect(history).to_contain_text("to be emailed to margaret@example.org (emailed)")

    # The victim follows the link (no sign-in): the Welsh page, axe clean, takes one answer.
    victim = await browser.new_context(viewport=PHONE)
    survey = await victim.new_page()
    response = await survey.goto(link)
    assert response is not None
    assert response.status == 200
    await expect(survey.get_by_role("heading", level=1)).to_have_text(CY_SURVEY["title"])
    violations = await axe_violations(survey)
    if violations:
        found["survey page"] = violations
    await survey.get_by_role("button", name=CY_SURVEY["submit"]).click()
    await expect(survey.get_by_text(CY_SURVEY["error_summary"]).first).to_be_visible()
    violations = await axe_violations(survey)
    if violations:
        found["survey page (error)"] = violations
    await (
        survey.get_by_role("group", name=CY_SURVEY["q_overall"])
        .get_by_label(CY_SURVEY["score_5"])
        .check()
    )
    await survey.get_by_role("button", name=CY_SURVEY["submit"]).click()
    await expect(survey.get_by_role("heading", level=1)).to_have_text(CY_SURVEY["thanks_title"])
    assert welsh_server.query("SELECT overall FROM survey_response") == [(5,)]

    # The same link again: already answered.
    again = await survey.goto(link)
    assert again is not None
    assert again.status == 409
    await expect(survey.get_by_role("heading", level=1)).to_have_text(CY_SURVEY["answered_title"])
    assert welsh_server.query("SELECT COUNT(*) FROM survey_response") == [(1,)]
    await victim.close()
    await context.close()
    assert found == {}


async def test_record_contact_and_survey_offline_then_supervisor_sees_overdue_and_figures(
    live_server: LiveServer, browser: Browser
) -> None:
    found: dict[str, Any] = {}
    context, page = await new_phone(browser, viewport=PHONE)
    await enrol(page, live_server)
    await expect(page.get_by_role("link", name=COMPLETED).first).to_be_visible(timeout=30_000)
    await context.set_offline(True)
    live_server.stop()
    await open_aftercare(page, COMPLETED)

    # A contact yesterday, with the next update due yesterday too: overdue by today.
    yesterday = datetime.now() - timedelta(days=1)
    await page.get_by_role("button", name="Record contact").click()
    await expect(page.get_by_role("alert")).to_contain_text("Choose how you contacted the victim")
    await page.get_by_label("When", exact=True).fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("group", name="How").get_by_label("Phone").check()
    await page.get_by_label("What it was about").fill("Told her CCTV was being reviewed")
    await page.get_by_label("Next update due").fill(yesterday.strftime("%Y-%m-%d"))
    await page.get_by_role("button", name="Record contact").click()
    await expect(page.get_by_text("Contact recorded.")).to_be_visible()

    # The survey with the officer: the first question is required.
    await page.get_by_role("button", name="Save survey answers").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "Choose an answer for: Overall, how satisfied are you with the whole experience?"
    )
    await (
        page.get_by_role("group", name="Overall, how satisfied are you with the whole experience?")
        .get_by_label("Very satisfied")
        .check()
    )
    await (
        page.get_by_role("group", name="How satisfied are you with how you were treated?")
        .get_by_label("Fairly satisfied")
        .check()
    )
    await page.get_by_role("button", name="Save survey answers").click()
    history = page.get_by_role("region", name="History after the visit")
    await expect(history).to_contain_text("Told her CCTV was being reviewed")
    await expect(history).to_contain_text("Very satisfied")
    await expect(page.get_by_role("button", name="Save survey answers")).to_have_count(0)
    await expect(page.get_by_test_id("changes-waiting")).to_have_text("2")
    violations = await axe_violations(page)
    if violations:
        found["aftercare with contact and survey"] = violations
    await page.set_viewport_size({"width": 320, "height": 700})
    assert await no_sideways_scroll(page), "After the visit scrolls sideways at 320 px"
    await page.set_viewport_size(PHONE)

    live_server.start()
    await context.set_offline(False)
    await sync_now(page)
    assert live_server.query("SELECT method, about FROM victim_update") == [
        ("phone", "Told her CCTV was being reviewed")
    ]
    assert live_server.query("SELECT overall, treatment, channel FROM survey_response") == [
        (5, 4, "officer")
    ]

    # The supervisor: the victim is owed an update, and the satisfaction figures show it.
    _, sup = await new_phone(browser, viewport=TABLET)
    await enrol_as(sup, live_server, SUPERVISOR, "Visits")
    main_nav = sup.get_by_role("navigation", name="Main")
    await main_nav.get_by_role("link", name="Updates overdue").click()
    overdue = sup.get_by_test_id("overdue-table")
    row = overdue.get_by_role("row").filter(has_text=COMPLETED)
    await expect(row).to_contain_text("PC Sam Patel")
    await expect(row).to_contain_text("Phone")
    violations = await axe_violations(sup)
    if violations:
        found["updates overdue"] = violations
    await row.get_by_role("link", name=COMPLETED).click()
    region = sup.get_by_role("region", name="After the visit", exact=True)
    await expect(region).to_contain_text("Answered with the officer")
    await expect(region).to_contain_text("Told her CCTV was being reviewed")

    await main_nav.get_by_role("link", name="Figures").click()
    totals = sup.get_by_test_id("satisfaction-totals")
    await expect(totals).to_contain_text("Share satisfied100%")
    await expect(totals).to_contain_text("The pilot's share satisfied74%")
    await expect(totals).to_contain_text("Survey answers1")
    section = sup.get_by_role("region", name="Victim satisfaction")
    await expect(section.get_by_role("table", name="Satisfaction by team")).to_contain_text(
        "Worcester Response A"
    )
    violations = await axe_violations(sup)
    if violations:
        found["figures with satisfaction"] = violations
    assert found == {}
