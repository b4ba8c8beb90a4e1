"""Devices added to an account: audited as such, and shown to the account's holder.

Why (issue 14 item 6, SECURITY.md item 35): an administrator issues enrolment codes for any
account - that is their job, so it cannot be forbidden - and with one could enrol a passkey
into a supervisor's account and read victims' data as them. What stops that going unnoticed:

- every enrolment writes an ``alter`` audit row on the account (``record_type="enrolment"``)
  whose actor is the code's issuer, saying the account's role and whether it sees victims'
  data (``enrolment_entry``), in the same transaction as the device;
- every device the account already had (live) is told "a new device was added to your account
  on ... (label), with an enrolment code issued by ..." (``device_added``), shown at
  ``GET /api/me`` until acknowledged there (``POST /api/me/notices/{id}/ack``); answering
  ``recognised: false`` revokes the new device at once;
- the new device is told which devices the account already had (``device_already_there``):
  the live ones, and any that nobody was ever told about (one enrolled into an account with no
  device, even if revoked since). So an account enrolled by someone else before its holder's
  first sign-in is shown to the holder on their own first device.

Each copy is shown on one device and only that device can acknowledge it (anyone else: 404,
audited as denied), so a device cannot wave away what another is told. Only a device that was
there first can revoke: the new one may be the intruder's, so its "not recognised" about an
older device is recorded and audited, never acted on. What is left, and only in the audit log:
a device enrolled and revoked while another device of the same intruder was told about it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.devices import revoke_device
from server.auth.guard import OutOfScope
from server.auth.models import Device, DeviceNotice, EnrolmentCode
from server.auth.principal import Principal
from server.auth.schemas import DeviceNoticeOut, NoticeIssuer
from server.auth.scope import sees_victims_data
from server.auth.views import device_out
from server.context import RequestContext
from server.errors import NotFound
from server.org.models import Officer, Role

ADDED = "device_added"
ALREADY_THERE = "device_already_there"


def enrolment_entry(
    officer: Officer, device: Device, code: EnrolmentCode, ctx: RequestContext
) -> AuditEntry:
    """The audit row of an enrolment: the issuer as actor, the account as the record."""
    issuer = code.created_by_id
    reason = f"new device {device.id} enrolled for {officer.role.value} {officer.id}"
    if sees_victims_data(Role(officer.role)):
        reason += ", an account that can see victims' data,"
    reason += f" with enrolment code {code.id} issued "
    reason += f"by {issuer}" if issuer else "at the command line"
    if issuer == officer.id:
        reason += " (the issuer's own account)"
    return ctx.audit(
        AuditAction.ALTER,
        actor_id=issuer,
        device_id=device.id,
        record_type="enrolment",
        record_id=officer.id,
        reason=reason,
    )


async def record_device_added(
    officer: Officer,
    device: Device,
    code: EnrolmentCode,
    *,
    ctx: RequestContext,
    connection: BaseDBAsyncClient,
) -> None:
    """In the enrolment's transaction: what each device is told, and the audit row."""
    others = await (
        Device.filter(officer_id=officer.id)
        .exclude(id=device.id)
        .using_db(connection)
        .order_by("created_at")
    )
    told = set(
        await DeviceNotice.filter(device_id__in=[d.id for d in others])
        .using_db(connection)
        .values_list("device_id", flat=True)
    )
    notices = []
    for other in others:
        if other.revoked_at is None:
            notices.append(_notice(ADDED, device, other, code.created_by_id, ctx))
        if other.revoked_at is None or other.id not in told:
            notices.append(_notice(ALREADY_THERE, other, device, other.code_issued_by_id, ctx))
    if notices:
        await DeviceNotice.bulk_create(notices, using_db=connection)
    await ctx.write_audit([enrolment_entry(officer, device, code, ctx)], connection)


def _notice(
    kind: str, about: Device, shown_on: Device, issuer: uuid.UUID | None, ctx: RequestContext
) -> DeviceNotice:
    return DeviceNotice(
        id=uuid.uuid4(),
        officer_id=about.officer_id,  # type: ignore[attr-defined]
        kind=kind,
        device_id=about.id,
        shown_on_id=shown_on.id,
        issued_by_id=issuer,
        created_at=ctx.now,
    )


def _message(notice: DeviceNotice, issuer: Officer | None) -> str:
    device = notice.device
    added = device.created_at
    when = f"{added.day} {added:%B %Y at %H:%M} UTC"
    label = device.label or "no name given"
    if notice.kind == ADDED:
        text = f"A new device was added to your account on {when} ({label}), with "
    else:
        text = f"Your account already had another device when this one was added: {label}, "
        text += f"added on {when} with "
    text += "an enrolment code "
    if notice.issued_by_id is None:
        text += "issued at the server's command line."
    elif notice.issued_by_id == notice.officer_id:  # type: ignore[attr-defined]
        text += "issued from your own account."
    elif issuer is None:
        text += f"issued by account {notice.issued_by_id}."
    else:
        text += f"issued by {issuer.display_name} ({issuer.collar_number})."
    if device.revoked_at is not None:
        text += " That device has since been revoked."
    return text


def notice_out(notice: DeviceNotice, issuer: Officer | None) -> DeviceNoticeOut:
    """A notice (its device fetched) as the API shows it."""
    return DeviceNoticeOut(
        id=notice.id,
        kind=ADDED if notice.kind == ADDED else ALREADY_THERE,
        message=_message(notice, issuer),
        added_at=notice.device.created_at,
        device=device_out(notice.device),
        issued_by=NoticeIssuer(
            id=issuer.id, display_name=issuer.display_name, collar_number=issuer.collar_number
        )
        if issuer
        else None,
        issued_by_self=notice.issued_by_id == notice.officer_id,  # type: ignore[attr-defined]
        can_revoke=notice.kind == ADDED,
        acknowledged_at=notice.acknowledged_at,
        recognised=notice.recognised,
    )


async def _out(notices: Sequence[DeviceNotice]) -> list[DeviceNoticeOut]:
    ids = {n.issued_by_id for n in notices if n.issued_by_id is not None}
    issuers = {o.id: o for o in await Officer.filter(id__in=list(ids))} if ids else {}
    return [notice_out(n, issuers.get(n.issued_by_id) if n.issued_by_id else None) for n in notices]


async def pending_notices(principal: Principal) -> list[DeviceNoticeOut]:
    """What the caller's device has been told and has not yet acknowledged, oldest first."""
    notices = (
        await DeviceNotice.filter(shown_on_id=principal.device_id, acknowledged_at__isnull=True)
        .order_by("created_at", "id")
        .select_related("device")
    )
    return await _out(notices)


async def acknowledge(
    notice_id: uuid.UUID, recognised: bool, *, ctx: RequestContext
) -> DeviceNoticeOut:
    """The person has seen a notice on the device it is shown on, and answers it.

    ``recognised=False`` on a ``device_added`` notice revokes the new device; on a
    ``device_already_there`` notice it is recorded and audited only (see the module's note).
    Acknowledging twice changes nothing: the first answer stands.
    """
    principal = ctx.caller
    notice = await DeviceNotice.get_or_none(id=notice_id).select_related("device")
    if notice is None:
        raise NotFound("No such notice.")
    if notice.shown_on_id != principal.device_id:  # type: ignore[attr-defined]
        raise OutOfScope("device_notice", notice_id, "No such notice.")
    if notice.acknowledged_at is None:
        device_id = notice.device_id  # type: ignore[attr-defined]
        if not recognised and notice.kind == ADDED:
            why = f"not recognised by the account's holder (notice {notice.id})"
            await revoke_device(device_id, why, ctx=ctx)
        async with in_transaction() as connection:
            updated = (
                await DeviceNotice.filter(id=notice.id, acknowledged_at__isnull=True)
                .using_db(connection)
                .update(acknowledged_at=ctx.now, recognised=recognised)
            )
            if updated:
                answer = "recognised" if recognised else "NOT recognised"
                entry = ctx.audit(
                    AuditAction.ALTER,
                    record_type="device_notice",
                    record_id=notice.id,
                    reason=f"{notice.kind} acknowledged: device {device_id} {answer}",
                )
                await ctx.write_audit([entry], connection)
        notice = await DeviceNotice.get(id=notice.id).select_related("device")
    return (await _out([notice]))[0]
