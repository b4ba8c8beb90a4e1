"""Emailing leave-behinds: queued after sync, sent by the server, retried, never lost.

A leave-behind pushed with ``email.requested`` becomes a mail job on the sender's next pass
(the phone may have queued it offline; the record itself is the durable request). Any worker
may run the sender - the app's background task or ``doorstep send-mail`` - because a job is
claimed by a conditional UPDATE that only one of them can win, for a lease that a dead sender
lets lapse. A refusal (4xx or 5xx) or a network failure puts the job back with exponential
backoff; after ``DOORSTEP_MAIL_MAX_ATTEMPTS`` it is marked failed and shown to the officer.
Each delivery is recorded on the leave-behind through the feed (the phone sees "sent") and
audited as a disclosure to the victim - the address itself never reaches a log.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from server.aftercare.content import fill
from server.aftercare.enums import MailStatus
from server.aftercare.models import LeaveBehind, LeaveBehindContent, MailJob, SurveyLink
from server.aftercare.smtp import Transport, failure_code, smtp_send
from server.aftercare.surveys import new_token, token_sha256
from server.audit.models import AuditAction
from server.clock import Clock
from server.context import RequestContext
from server.feed import Change, RevisionNote, lock_records, record_changes
from server.settings import Settings
from server.visits.models import Visit

log = logging.getLogger("doorstep.mail")
LEASE = timedelta(minutes=5)
BATCH = 20


@dataclass
class MailReport:
    """What one pass of the sender did."""

    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    jobs: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 1, 2, 4 ... minutes, at most 6 hours."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


async def enqueue_requested(now: datetime) -> int:
    """A job for every leave-behind whose email was asked for and has none yet."""
    asked = await LeaveBehind.filter(
        email_requested=True, deleted=False, mail_status=MailStatus.NONE
    ).values_list("id", flat=True)
    if not asked:
        return 0
    have = set(
        await MailJob.filter(leave_behind_id__in=list(asked)).values_list(
            "leave_behind_id", flat=True
        )
    )
    new = [
        MailJob(leave_behind_id=i, next_attempt_at=now, status=MailStatus.QUEUED)
        for i in asked
        if i not in have
    ]
    # Two senders enqueueing at once: the unique leave-behind key lets only one row in.
    await MailJob.bulk_create(new, ignore_conflicts=True)
    return len(new)


async def claim_due(now: datetime, limit: int = BATCH) -> list[int]:
    """Claim up to ``limit`` due jobs; a job goes to exactly one sender however many race."""
    due = Q(claimed_until=None) | Q(claimed_until__lt=now)
    candidates = [
        job.id
        for job in await MailJob.filter(due, status=MailStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(limit)
    ]
    claimed = []
    for job_id in candidates:
        won = await MailJob.filter(due, id=job_id, status=MailStatus.QUEUED).update(
            claimed_until=now + LEASE, attempts=F("attempts") + 1
        )
        if won:
            claimed.append(job_id)
    return claimed


async def _message(job: MailJob, settings: Settings, now: datetime) -> EmailMessage:
    leave: LeaveBehind = job.leave_behind
    visit = await Visit.get(id=leave.visit_id)  # type: ignore[attr-defined]
    content = await LeaveBehindContent.get(version=leave.content_version)
    texts = content.texts.get(leave.language.value) or content.texts["en"]
    body = leave.text
    if "{survey_link}" in body:
        token = new_token()
        await SurveyLink.create(
            token_sha256=token_sha256(token), leave_behind=leave, created_at=now
        )
        body = body.replace("{survey_link}", f"{settings.origin}/s/{token}")
    values = {
        "force_name": texts["force_name"],
        "crime_reference": visit.reference_crime_reference or "",
    }
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = leave.email_to or ""
    message["Subject"] = fill(texts["email_subject"], values)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(body)
    message["Content-Language"] = leave.language.value  # after set_content, which clears it
    return message


async def _settle(
    job: MailJob, status: MailStatus, settings: Settings, now: datetime, error: str = ""
) -> None:
    """Record the outcome: the job, and (once sent or given up) the leave-behind via the feed."""
    leave: LeaveBehind = job.leave_behind
    async with in_transaction() as connection:
        if status is MailStatus.QUEUED:
            await (
                MailJob.filter(id=job.id)
                .using_db(connection)
                .update(
                    claimed_until=None,
                    next_attempt_at=now + backoff(job.attempts),
                    last_error=error,
                )
            )
            return
        await (
            MailJob.filter(id=job.id)
            .using_db(connection)
            .update(
                status=status,
                claimed_until=None,
                last_error=error,
                sent_at=now if status is MailStatus.SENT else None,
            )
        )
        locked = await lock_records(connection, {LeaveBehind: [leave.id]})
        row = locked[(LeaveBehind, leave.id)]
        sent_at = now if status is MailStatus.SENT else None
        change = Change(
            LeaveBehind,
            leave.id,
            leave.visit_id,  # type: ignore[attr-defined]
            {"rev": row.rev + 1, "mail_status": status, "mail_sent_at": sent_at},
            revisions=[
                RevisionNote(
                    rev=row.rev + 1,
                    op="mail",
                    changes={
                        "delivery.status": status.value,
                        "delivery.sent_at": sent_at.isoformat() if sent_at else None,
                    },
                    author="server",
                )
            ],
        )
        ctx = RequestContext.system(settings, now)
        audit = []
        if status is MailStatus.SENT:
            audit.append(
                ctx.audit(
                    AuditAction.DISCLOSE,
                    record_type="leave_behinds",
                    record_id=leave.id,
                    recipient="victim (email)",
                    reason=f"leave-behind emailed at the victim's request (attempt {job.attempts})",
                )
            )
        await record_changes(connection, [change], audit=audit, now=now)


async def send_job(
    job_id: int, settings: Settings, now: datetime, transport: Transport = smtp_send
) -> MailStatus:
    """Send one claimed job; return where it is now (sent, queued again, or failed)."""
    job = await MailJob.get(id=job_id).select_related("leave_behind")
    try:
        message = await _message(job, settings, now)
        await asyncio.to_thread(transport, settings, message)
    except (smtplib.SMTPException, OSError) as exc:
        error = failure_code(exc)
        status = (
            MailStatus.FAILED if job.attempts >= settings.mail_max_attempts else MailStatus.QUEUED
        )
        log.warning(
            "leave-behind email not sent",
            extra={"job": job.id, "attempt": job.attempts, "error": error, "next": status.value},
        )
        await _settle(job, status, settings, now, error)
        return status
    await _settle(job, MailStatus.SENT, settings, now)
    log.info("leave-behind email sent", extra={"job": job.id, "attempt": job.attempts})
    return MailStatus.SENT


async def send_pass(
    settings: Settings, now: datetime, transport: Transport = smtp_send
) -> MailReport:
    """One pass: queue what was asked for, then send every due job this sender can claim."""
    report = MailReport(queued=await enqueue_requested(now))
    if not settings.smtp_host and transport is smtp_send:
        return report  # no relay configured: the jobs wait, queued
    for job_id in await claim_due(now):
        status = await send_job(job_id, settings, now, transport)
        report.jobs.append(job_id)
        if status is MailStatus.SENT:
            report.sent += 1
        elif status is MailStatus.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
    return report


async def mail_loop(settings: Settings, clock: Clock) -> None:
    """The app's background sender: a pass every ``DOORSTEP_MAIL_POLL_SECONDS``, for ever."""
    while True:
        try:
            await send_pass(settings, clock.now())
        except Exception:  # one bad pass must not stop the sender; the next one retries
            log.exception("mail pass failed")
        await asyncio.sleep(settings.mail_poll_seconds)
