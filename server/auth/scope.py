"""Who may see which visits: the one place scope is decided (and so 404 for everything else).

Officers see their own visits (and their team's where the force turns that on); supervisors
their team or their whole area; administrators no victims' records at all. Child records
(property, kits, photos) follow their visit.

``scope_rule`` states that once, as data: which visit columns may equal which of the caller's
own values. Everything else is compiled from it: the ORM filter for lists (``visit_scope``),
the check on one loaded visit (``may_read_visit``) and the SQL fragment the pledge figures run
(``ScopeRule.sql``), so the three cannot drift apart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, Literal

from tortoise.expressions import Q

from server.auth.principal import Principal
from server.org.models import Role, SupervisionScope
from server.settings import Settings

# The visit columns a scope can name: only these names are ever written into SQL.
ScopeColumn = Literal["officer_id", "team_id", "area_id"]


def _q(**kwargs: Any) -> Q:
    return Q(**kwargs)


@dataclass(frozen=True)
class ScopeRule:
    """A visit is in scope when any one of its columns equals the value named for it.

    No terms means nothing is in scope (administrators read no victims' records).
    """

    terms: tuple[tuple[ScopeColumn, uuid.UUID | int], ...]

    def q(self, prefix: str = "") -> Q:
        """The rule as a tortoise filter (``prefix="visit__"`` for a visit's children)."""
        if not self.terms:
            return _q(**{f"{prefix}id__in": []})
        return reduce(or_, (_q(**{f"{prefix}{column}": value}) for column, value in self.terms))

    def sql(self, params: list[Any]) -> str:
        """The rule as SQL on the ``visit`` table: appends its values to ``params`` (``$n``).

        UUID columns are compared as text, so one statement serves SQLite (where they are text)
        and PostgreSQL (where they are ``uuid``).
        """
        clauses = []
        for column, value in self.terms:
            if isinstance(value, uuid.UUID):
                params.append(str(value))
                clauses.append(f"CAST({column} AS TEXT) = ${len(params)}")
            else:
                params.append(value)
                clauses.append(f"{column} = ${len(params)}")
        if not clauses:
            return "1 = 0"
        return clauses[0] if len(clauses) == 1 else f"({' OR '.join(clauses)})"

    def admits(self, columns: dict[ScopeColumn, object]) -> bool:
        """Whether one visit, given its scope columns' values, is in scope."""
        return any(columns[column] == value for column, value in self.terms)


def scope_rule(principal: Principal, settings: Settings) -> ScopeRule:
    """The rule: which visits this caller may read, under this force's settings."""
    if principal.role is Role.OFFICER:
        own: list[tuple[ScopeColumn, uuid.UUID | int]] = [("officer_id", principal.officer_id)]
        if settings.officers_see_team_visits:
            own.append(("team_id", principal.team_id))
        return ScopeRule(tuple(own))
    if principal.role is Role.SUPERVISOR:
        if principal.supervision_scope is SupervisionScope.AREA:
            return ScopeRule((("area_id", principal.area_id),))
        return ScopeRule((("team_id", principal.team_id),))
    return ScopeRule(())


def sees_victims_data(role: Role) -> bool:
    """Whether an account in this role can read any victim's record (all but administrators,
    whose ``scope_rule`` is empty): enrolling a device for one is audited and shown to them."""
    return role is not Role.ADMIN


def visit_scope(principal: Principal, settings: Settings, prefix: str = "") -> Q:
    """A filter selecting the visits the caller may read (``prefix="visit__"`` for children)."""
    return scope_rule(principal, settings).q(prefix)


def may_read_visit(
    principal: Principal, settings: Settings, officer_id: object, team_id: int, area_id: int
) -> bool:
    """The same rule as ``visit_scope``, for one visit already loaded."""
    return scope_rule(principal, settings).admits(
        {"officer_id": officer_id, "team_id": team_id, "area_id": area_id}
    )


def may_write_visit(principal: Principal, officer_id: object) -> bool:
    """Only the visit's own officer changes it from the phone (supervisors review online)."""
    return principal.role is Role.OFFICER and officer_id == principal.officer_id
