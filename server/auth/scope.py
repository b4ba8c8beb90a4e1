"""Who may see which visits: the one place scope is decided (and so 404 for everything else).

Officers see their own visits (and their team's where the force turns that on); supervisors
their team or their whole area; administrators no victims' records at all. Child records
(property, kits, photos) follow their visit.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from server.auth.principal import Principal
from server.org.models import Role, SupervisionScope
from server.settings import Settings


def _q(**kwargs: Any) -> Q:
    return Q(**kwargs)


def visit_scope(principal: Principal, settings: Settings, prefix: str = "") -> Q:
    """A filter selecting the visits the caller may read (``prefix="visit__"`` for children)."""
    if principal.role is Role.OFFICER:
        own = _q(**{f"{prefix}officer_id": principal.officer_id})
        if settings.officers_see_team_visits:
            return own | _q(**{f"{prefix}team_id": principal.team_id})
        return own
    if principal.role is Role.SUPERVISOR:
        if principal.supervision_scope is SupervisionScope.AREA:
            return _q(**{f"{prefix}area_id": principal.area_id})
        return _q(**{f"{prefix}team_id": principal.team_id})
    return _q(**{f"{prefix}id__in": []})


def may_read_visit(
    principal: Principal, settings: Settings, officer_id: object, team_id: int, area_id: int
) -> bool:
    """The same rule as ``visit_scope``, for one visit already loaded."""
    if principal.role is Role.OFFICER:
        return officer_id == principal.officer_id or (
            settings.officers_see_team_visits and team_id == principal.team_id
        )
    if principal.role is Role.SUPERVISOR:
        if principal.supervision_scope is SupervisionScope.AREA:
            return area_id == principal.area_id
        return team_id == principal.team_id
    return False


def may_write_visit(principal: Principal, officer_id: object) -> bool:
    """Only the visit's own officer changes it from the phone (supervisors review online)."""
    return principal.role is Role.OFFICER and officer_id == principal.officer_id
