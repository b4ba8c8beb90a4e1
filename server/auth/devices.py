"""Devices, one passkey each: listing them for administrators, and revoking a lost one."""

from __future__ import annotations

import uuid

from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.auth.models import Device, Session
from server.context import RequestContext
from server.errors import NotFound


async def list_devices(officer_id: uuid.UUID | None = None) -> list[Device]:
    """Devices, newest first; only this officer's when one is named."""
    devices = Device.all().order_by("-created_at")
    if officer_id:
        devices = devices.filter(officer_id=officer_id)
    return await devices


async def revoke_device(device_id: uuid.UUID, reason: str, *, ctx: RequestContext) -> Device:
    """Disable a device and end its sessions at once; its next request is told to wipe."""
    now = ctx.now
    async with in_transaction() as connection:
        device = await Device.filter(id=device_id).using_db(connection).first()
        if device is None:
            raise NotFound("No such device.")
        if device.revoked_at is None:
            device.revoked_at = now
            device.revoked_reason = reason[:200]
            await device.save(using_db=connection, update_fields=["revoked_at", "revoked_reason"])
        await (
            Session.filter(device_id=device.id, ended_at__isnull=True)
            .using_db(connection)
            .update(ended_at=now)
        )
        await ctx.write_audit(
            [
                ctx.audit(
                    AuditAction.REVOKE,
                    device_id=device.id,
                    record_type="device",
                    record_id=device.id,
                    reason=reason[:500],
                )
            ],
            connection,
        )
    return device
