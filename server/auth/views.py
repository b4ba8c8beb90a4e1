"""Turning device rows into the response shapes (officers and teams: ``server.org.views``)."""

from __future__ import annotations

from server.auth.models import Device
from server.auth.schemas import DeviceOut


def device_out(device: Device) -> DeviceOut:
    """A device row as the API shows it (never the key material)."""
    return DeviceOut(
        id=device.id,
        officer_id=device.officer_id,  # type: ignore[attr-defined]
        label=device.label,
        aaguid=device.aaguid,
        backup_eligible=device.backup_eligible,
        backup_state=device.backup_state,
        prf_enabled=device.prf_enabled,
        created_at=device.created_at,
        last_used_at=device.last_used_at,
        revoked_at=device.revoked_at,
    )
