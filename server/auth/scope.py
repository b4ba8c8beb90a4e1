"""Who may see which visits and reports: the one place scope is decided (404 for the rest).

Officers see their own visits (and their team's where the force turns that on); supervisors
their team or their whole area; administrators no victims' records at all. Child records
(property, kits, photos) follow their visit.

Reports (burglaries reported by the force, awaiting a visit) follow a rule of their own,
stated beside it in ``report_scope_rule``: officers see the reports they hold - assigned to
them, or to their team with nobody named - and only while they are open; supervisors see the
reports that belong to their team or area, as for visits.

``scope_rule`` states that once, as data: which visit columns may equal which of the caller's
own values. Everything else is compiled from it: the ORM filter for lists (``visit_scope``),
the check on one loaded visit (``may_read_visit``) and the SQL fragment the pledge figures run
(``ScopeRule.sql``), so the three cannot drift apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, Literal

from tortoise.expressions import Q

from server.auth.principal import Principal
from server.org.models import Role, SupervisionScope
from server.settings import Settings

# The columns a scope can name (a visit's owner, team and area; a report's holder): only
# these names are ever written into SQL.
ScopeColumn = Literal["officer_id", "team_id", "area_id", "holder_officer_id", "holder_team_id"]


def _q(**kwargs: Any) -> Q:
    return Q(**kwargs)


@dataclass(frozen=True)
class ScopeRule:
    """A visit is in scope when any one of its columns equals the value named for it.

    No terms means nothing is in scope (administrators read no victims' records).
    """

    terms: tuple[tuple[ScopeColumn, uuid.UUID | int], ...]

    def q(self, prefix: str = "", rename: Mapping[str, str] | None = None) -> Q:
        """The rule as a tortoise filter (``prefix="visit__"`` for a visit's children;
        ``rename`` maps its columns onto another table's, e.g. a scope exit's)."""
        names = rename or {}
        if not self.terms:
            return _q(**{f"{prefix}id__in": []})
        return reduce(
            or_,
            (_q(**{f"{prefix}{names.get(column, column)}": value}) for column, value in self.terms),
        )

    def sql(self, params: list[Any], table: str = "") -> str:
        """The rule as SQL (on the ``visit`` table, or the alias ``table``): appends its values
        to ``params`` (``$n``).

        UUID columns are compared as text, so one statement serves SQLite (where they are text)
        and PostgreSQL (where they are ``uuid``).
        """
        clauses = []
        qualifier = f"{table}." if table else ""
        for column, value in self.terms:
            if isinstance(value, uuid.UUID):
                params.append(str(value))
                clauses.append(f"CAST({qualifier}{column} AS TEXT) = ${len(params)}")
            else:
                params.append(value)
                clauses.append(f"{qualifier}{column} = ${len(params)}")
        if not clauses:
            return "1 = 0"
        return clauses[0] if len(clauses) == 1 else f"({' OR '.join(clauses)})"

    def admits(self, columns: Mapping[ScopeColumn, object]) -> bool:
        """Whether one record, given its scope columns' values, is in scope."""
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


def report_scope_rule(principal: Principal, settings: Settings) -> ScopeRule:
    """The rule for reports: which reported burglaries this caller may read.

    Officers: the open reports they hold (``holder_*`` is set only while a report is assigned
    and awaiting or in progress, so a visited, closed or reassigned report leaves their phone).
    Supervisors: their team's, or their area's. Administrators: none. ``settings`` is taken
    for symmetry with the visit rule; no force setting widens it yet.
    """
    if principal.role is Role.OFFICER:
        return ScopeRule(
            (("holder_officer_id", principal.officer_id), ("holder_team_id", principal.team_id))
        )
    if principal.role is Role.SUPERVISOR:
        if principal.supervision_scope is SupervisionScope.AREA:
            return ScopeRule((("area_id", principal.area_id),))
        return ScopeRule((("team_id", principal.team_id),))
    return ScopeRule(())


def report_scope(principal: Principal, settings: Settings) -> Q:
    """A filter selecting the reports the caller may read."""
    return report_scope_rule(principal, settings).q()


def scope_exit_scope(principal: Principal, settings: Settings) -> Q:
    """The scope-exit rows meant for this reader: a visit's (or child's) by the visit rule on
    its old owner, team and area; a report's by the report rule on its old holder."""
    holder = {"holder_officer_id": "officer_id", "holder_team_id": "team_id"}
    reports = _q(collection="reports") & report_scope_rule(principal, settings).q(rename=holder)
    visits = ~_q(collection="reports") & scope_rule(principal, settings).q()
    return reports | visits
