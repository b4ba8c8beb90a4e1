"""Scope is decided once: the ORM filter, the SQL fragment and the one-visit check agree.

Every combination of role, supervision scope and the force's "officers see team visits"
setting, for a caller in every team, is run against the same visits on each database: the
rows the tortoise filter selects, the rows the SQL fragment (as the pledge figures run it)
selects, and the visits ``may_read_visit`` admits must be the same set.
"""

from __future__ import annotations

import itertools
import uuid

from tortoise import connections

from server.auth.principal import Principal
from server.auth.scope import ScopeRule, may_read_visit, scope_rule, visit_scope
from server.db import sql
from server.org.models import Officer, Role, SupervisionScope
from server.org.service import create_officer
from server.settings import Settings
from server.visits.models import KitIssue, Visit

# (team, area): teams A and B share area X; team C is alone in area Y.
POSTS = [("Team A", "Area X"), ("Team A", "Area X"), ("Team B", "Area X"), ("Team C", "Area Y")]
VISITS_PER_OFFICER = 2


async def _organisation() -> list[Officer]:
    """Four officers in three teams and two areas, each with visits, each visit with a kit."""
    officers = []
    for n, (team, area) in enumerate(POSTS):
        officer = await create_officer(
            collar_number=f"{4000 + n}",
            display_name=f"PC {n}",
            role=Role.OFFICER,
            team_name=team,
            area_name=area,
        )
        await officer.fetch_related("team")
        officers.append(officer)
        for _ in range(VISITS_PER_OFFICER):
            visit = await Visit.create(
                id=uuid.uuid4(),
                officer_id=officer.id,
                team_id=officer.team.id,
                area_id=officer.team.area_id,  # type: ignore[attr-defined]
            )
            await KitIssue.create(id=uuid.uuid4(), visit_id=visit.id)
    return officers


def _principals(officers: list[Officer]) -> list[Principal]:
    """Each officer's identity and post, in every role and supervision scope."""
    return [
        Principal(
            officer_id=officer.id,
            collar_number=officer.collar_number,
            display_name=officer.display_name,
            role=role,
            team_id=officer.team.id,
            area_id=officer.team.area_id,  # type: ignore[attr-defined]
            supervision_scope=scope,
            device_id=uuid.uuid4(),
            session_key="",
        )
        for officer, role, scope in itertools.product(officers, Role, SupervisionScope)
    ]


async def _sql_selection(rule: ScopeRule) -> set[str]:
    params: list[object] = []
    where = rule.sql(params)
    connection = connections.get("default")
    statement = sql(connection, f"SELECT id FROM visit WHERE {where}")
    rows = await connection.execute_query_dict(statement, params)
    return {str(r["id"]) for r in rows}


async def test_orm_filter_sql_fragment_and_one_visit_check_select_the_same_visits(
    db: str,
) -> None:
    officers = await _organisation()
    visits = await Visit.all()
    sizes = set()
    for principal, team_visits in itertools.product(_principals(officers), [False, True]):
        settings = Settings(officers_see_team_visits=team_visits)
        case = f"{principal.role} {principal.supervision_scope} team_visits={team_visits}"
        by_orm = {
            str(i)
            for i in await Visit.filter(visit_scope(principal, settings)).values_list(
                "id", flat=True
            )
        }
        by_sql = await _sql_selection(scope_rule(principal, settings))
        by_check = {
            str(v.id)
            for v in visits
            if may_read_visit(
                principal,
                settings,
                v.officer_id,  # type: ignore[attr-defined]
                v.team_id,  # type: ignore[attr-defined]
                v.area_id,  # type: ignore[attr-defined]
            )
        }
        children = await KitIssue.filter(visit_scope(principal, settings, "visit__")).values_list(
            "visit_id", flat=True
        )
        assert by_orm == by_sql == by_check, case
        assert {str(i) for i in children} == by_orm, case
        sizes.add(len(by_orm))
    # The cases are not trivial: nothing (admin), own, team, area and team-plus-own all occur.
    assert sizes == {0, 2, 4, 6}


def test_scope_rule_names_the_columns_each_caller_is_matched_on() -> None:
    officer_id = uuid.uuid4()

    def rule(role: Role, scope: SupervisionScope, team_visits: bool) -> ScopeRule:
        principal = Principal(officer_id, "1", "x", role, 3, 7, scope, uuid.uuid4(), "")
        return scope_rule(principal, Settings(officers_see_team_visits=team_visits))

    assert rule(Role.OFFICER, SupervisionScope.TEAM, False).terms == (("officer_id", officer_id),)
    assert rule(Role.OFFICER, SupervisionScope.AREA, True).terms == (
        ("officer_id", officer_id),
        ("team_id", 3),
    )
    assert rule(Role.SUPERVISOR, SupervisionScope.TEAM, True).terms == (("team_id", 3),)
    assert rule(Role.SUPERVISOR, SupervisionScope.AREA, False).terms == (("area_id", 7),)
    assert rule(Role.ADMIN, SupervisionScope.AREA, True).terms == ()
    params: list[object] = []
    assert rule(Role.OFFICER, SupervisionScope.TEAM, True).sql(params) == (
        "(CAST(officer_id AS TEXT) = $1 OR team_id = $2)"
    )
    assert params == [str(officer_id), 3]
    assert rule(Role.ADMIN, SupervisionScope.TEAM, False).sql([]) == "1 = 0"
