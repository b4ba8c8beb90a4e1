"""One-time enrolment codes: issued for an officer, shown once, stored only as a hash.

An administrator (at ``POST /api/admin/officers/{id}/enrolment-codes`` or with
``doorstep enrol-code``) issues a code; the officer types it into the app to register a passkey
(``server.auth.registration``), which consumes it. The row keeps who issued it, so the
enrolment is audited with its issuer and shown to the account's holder
(``server.auth.notices``).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from server.audit.models import AuditAction
from server.auth.models import EnrolmentCode
from server.auth.scope import sees_victims_data
from server.context import RequestContext
from server.errors import NotFound
from server.org.models import Officer, Role

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed on a phone
CODE_LENGTH = 20  # 20 symbols of 30 = 98 bits


def normalise_code(code: str) -> str:
    """Codes are shown in groups (ABCD-EFGH-...); accept them with or without separators."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """Enrolment codes are stored hashed; the code itself is shown once and never kept."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def format_code(raw: str) -> str:
    """Group a code in fours for reading aloud."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


async def issue_enrolment_code(
    collar_number: str, *, ctx: RequestContext
) -> tuple[str, EnrolmentCode]:
    """Create a one-time enrolment code for an officer; returns the code (shown once) and row."""
    settings, now = ctx.settings, ctx.now
    officer = await Officer.get_or_none(collar_number=collar_number, active=True)
    if officer is None:
        raise NotFound(f"No active officer with collar number {collar_number}.")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = await EnrolmentCode.create(
        id=uuid.uuid4(),
        officer=officer,
        code_hash=code_hash(raw),
        created_by_id=ctx.principal.officer_id if ctx.principal else ctx.actor_id,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.enrolment_code_seconds),
    )
    reason = f"enrolment code for {officer.role.value} {officer.id}"
    if sees_victims_data(Role(officer.role)):
        reason += ", an account that can see victims' data"
    if row.created_by_id is not None and row.created_by_id == officer.id:
        reason += " (the issuer's own account)"
    await ctx.write_audit(
        [
            ctx.audit(
                AuditAction.COLLECT, record_type="enrolment_code", record_id=row.id, reason=reason
            )
        ]
    )
    return format_code(raw), row


async def issue_enrolment_code_for(
    officer_id: uuid.UUID, *, ctx: RequestContext
) -> tuple[str, EnrolmentCode]:
    """The same, for the officer with this id (404 if there is none)."""
    officer = await Officer.get_or_none(id=officer_id)
    if officer is None:
        raise NotFound()
    return await issue_enrolment_code(officer.collar_number, ctx=ctx)


async def usable_code(officer: Officer, code: str, now: datetime) -> EnrolmentCode | None:
    """The officer's code matching ``code`` if it is unused and unexpired, else None."""
    row = await EnrolmentCode.get_or_none(code_hash=code_hash(code), officer=officer)
    if row is None or row.used_at is not None or now >= row.expires_at:
        return None
    return row
