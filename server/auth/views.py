"""Turning rows into the response shapes (shared by auth and org routes)."""

from __future__ import annotations

from server.auth.models import Device
from server.auth.schemas import DeviceOut, OfficerOut, TeamOut
from server.org.models import Officer, Team


def officer_out(officer: Officer) -> OfficerOut:
    """An officer row as the API shows it."""
    return OfficerOut(
        id=officer.id,
        collar_number=officer.collar_number,
        display_name=officer.display_name,
        role=officer.role,
        supervision_scope=officer.supervision_scope,
        team_id=officer.team_id,  # type: ignore[attr-defined]
        active=officer.active,
        contact_phone=officer.contact_phone,
        contact_email=officer.contact_email,
    )


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


def team_out(team: Team) -> TeamOut:
    """A team row (with its area fetched) as the API shows it."""
    return TeamOut(
        id=team.id, code=team.code, name=team.name, area_id=team.area.id, area_name=team.area.name
    )
