"""Emailed leave-behinds through a real SMTP server (aiosmtpd): refused, kept, retried, sent."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from email.policy import default
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from starlette.applications import Starlette

from harness.ports import free_port
from server.aftercare.content import default_texts, render_text
from server.aftercare.enums import MailStatus
from server.aftercare.mail import send_pass
from server.aftercare.models import LeaveBehind, MailJob
from server.audit.models import AuditEvent
from server.clock import FixedClock
from server.settings import Settings
from tests.server.aftercare.phone_aftercare import given_leave_behind
from tests.server.supervision.phone_visits import Enrolled, completed_visit

ADDRESS = "margaret.ellis@example.org"


class Mailbox:
    """An SMTP server's handler: refuses with the queued replies first, then accepts."""

    def __init__(self) -> None:
        self.refusals: list[str] = []
        self.received: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(message_from_bytes(envelope.original_content, policy=default))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free loopback port."""
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def mail_settings(base: Settings, port: int, **changes: Any) -> Settings:
    """Settings sending through the test's SMTP server, without TLS."""
    return dataclasses.replace(
        base,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="doorstep@police.example",
        **changes,
    )


async def test_a_refused_email_is_kept_and_retried_until_sent_in_welsh(
    app: Starlette,
    clock: FixedClock,
    enrolled: Enrolled,
    mailbox: tuple[Mailbox, int],
    make_client: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler, port = mailbox
    settings = mail_settings(app.state.settings, port, leave_behind_languages=("en", "cy"))
    app.state.settings = settings
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    welsh = render_text(
        default_texts(settings)["cy"],
        {"officer_name": "PC Test", "crime_reference": "22/41871/26", "visit_date": "23/11/2026"},
        ["Fit key-operated window locks"],
    )
    _, leave_id = await given_leave_behind(
        phone,
        visit_id,
        language="cy",
        text=welsh,
        **{"email.requested": True, "email.to": ADDRESS},
    )
    pulled = {c["id"]: c for c in await phone.pull_all()}
    assert pulled[leave_id]["record"]["delivery.status"] == "queued"

    handler.refusals = ["451 4.3.0 Try again later", "554 5.7.1 Relay busy"]
    caplog.set_level(logging.DEBUG, logger="doorstep")
    first = await send_pass(settings, clock.now())
    assert (first.queued, first.sent, first.retrying) == (1, 0, 1)
    job = await MailJob.get(leave_behind_id=leave_id)
    assert (job.status, job.attempts, job.last_error) == (MailStatus.QUEUED, 1, "smtp 451")
    assert (await send_pass(settings, clock.now())).jobs == []  # not due yet: backoff

    clock.advance(seconds=61)
    second = await send_pass(settings, clock.now())
    assert second.retrying == 1
    assert (await MailJob.get(id=job.id)).last_error == "smtp 554"
    clock.advance(seconds=121)
    third = await send_pass(settings, clock.now())
    assert third.sent == 1
    assert len(handler.received) == 1

    message = handler.received[0]
    assert handler.envelopes[0] == ("doorstep@police.example", [ADDRESS])
    assert message["Subject"] == "Demo Constabulary: eich cyfeirnod trosedd 22/41871/26"
    assert message["Content-Language"] == "cy"
    body = message.get_body().get_content()
    assert "Eich cyfeirnod trosedd yw 22/41871/26" in body
    link = re.search(r"http://localhost:8000/s/([a-z2-7]{26})", body)
    assert link is not None
    assert "{survey_link}" not in body
    victim: httpx.AsyncClient = make_client()
    page = await victim.get(f"/s/{link.group(1)}")
    assert page.status_code == 200
    assert '<html lang="cy">' in page.text

    sent = await LeaveBehind.get(id=leave_id)
    assert (sent.mail_status, sent.mail_sent_at) == (MailStatus.SENT, clock.now())
    pulled = {c["id"]: c for c in await phone.pull_all()}
    assert pulled[leave_id]["record"]["delivery.status"] == "sent"
    disclosed = await AuditEvent.filter(action="disclose", record_id=leave_id)
    assert [(a.record_type, a.recipient) for a in disclosed] == [
        ("leave_behinds", "victim (email)")
    ]
    assert ADDRESS not in caplog.text
    assert all(ADDRESS not in a.reason + a.recipient for a in await AuditEvent.all())
    assert (await send_pass(settings, clock.now())).jobs == []  # sent once only


async def test_given_up_after_the_last_attempt_and_shown_as_failed(
    app: Starlette, clock: FixedClock, enrolled: Enrolled, mailbox: tuple[Mailbox, int]
) -> None:
    handler, port = mailbox
    settings = mail_settings(app.state.settings, port, mail_max_attempts=2)
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    _, leave_id = await given_leave_behind(
        phone, visit_id, **{"email.requested": True, "email.to": ADDRESS}
    )
    handler.refusals = ["550 5.1.1 No such user"] * 5
    assert (await send_pass(settings, clock.now())).retrying == 1
    clock.advance(seconds=61)
    assert (await send_pass(settings, clock.now())).failed == 1
    job = await MailJob.get(leave_behind_id=leave_id)
    assert (job.status, job.attempts) == (MailStatus.FAILED, 2)
    pulled = {c["id"]: c for c in await phone.pull_all()}
    assert pulled[leave_id]["record"]["delivery.status"] == "failed"
    assert pulled[leave_id]["record"]["text"]  # the leave-behind itself is never lost


async def test_no_relay_or_a_relay_that_is_down_loses_nothing(
    app: Starlette, clock: FixedClock, enrolled: Enrolled
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    _, leave_id = await given_leave_behind(
        phone, visit_id, **{"email.requested": True, "email.to": ADDRESS}
    )
    unset = await send_pass(app.state.settings, clock.now())
    assert (unset.queued, unset.jobs) == (1, [])
    down = mail_settings(app.state.settings, free_port())
    report = await send_pass(down, clock.now())
    assert report.retrying == 1
    job = await MailJob.get(leave_behind_id=leave_id)
    assert (job.status, job.last_error) == (MailStatus.QUEUED, "ConnectionRefusedError")


async def test_two_senders_never_send_one_job_twice(
    app: Starlette, clock: FixedClock, enrolled: Enrolled, mailbox: tuple[Mailbox, int]
) -> None:
    import asyncio

    handler, port = mailbox
    settings = mail_settings(app.state.settings, port)
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    for _ in range(3):
        await given_leave_behind(phone, visit_id, **{"email.requested": True, "email.to": ADDRESS})
    reports = await asyncio.gather(*(send_pass(settings, clock.now()) for _ in range(3)))
    assert sum(r.sent for r in reports) == 3
    assert len(handler.received) == 3
