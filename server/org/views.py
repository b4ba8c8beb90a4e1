"""Turning officer and team rows into the response shapes (org's routes, and auth's profile)."""

from __future__ import annotations

from server.org.models import Area, Officer, Team
from server.org.schemas import AdminOfficerOut, AreaOut, OfficerOut, TeamOut


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


def team_out(team: Team) -> TeamOut:
    """A team row (with its area fetched) as the API shows it."""
    return TeamOut(
        id=team.id, code=team.code, name=team.name, area_id=team.area.id, area_name=team.area.name
    )


def admin_officer_out(officer: Officer) -> AdminOfficerOut:
    """An officer row (team and area fetched) as the administrator's workspace shows it."""
    return AdminOfficerOut(
        **officer_out(officer).model_dump(),
        team_name=officer.team.name,
        area_id=officer.team.area.id,
        area_name=officer.team.area.name,
        created_at=officer.created_at,
    )


def area_out(area: Area) -> AreaOut:
    """An area row as the API shows it."""
    return AreaOut(id=area.id, code=area.code, name=area.name)
