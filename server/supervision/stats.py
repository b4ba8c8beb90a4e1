"""``GET /api/stats``: pledge figures computed in the database, never by loading every visit.

Drafts are not visits: only visits that have been completed (completed, returned, approved)
are counted. Report-to-arrival runs from the linked report's reported-at time (from the force's
crime system) where the visit has one, and from the time typed at the door only where it has
none; the date and week filters and the offence type follow the same rule.

On PostgreSQL one statement reads the visits in scope once and groups them by GROUPING SETS
into the total and the figures by area, team and officer. SQLite has no grouping sets (nor
``percentile_cont``): it runs one statement per dimension, the percentiles from window
functions. Both give the same figures; the tests hold them to each other and to figures worked
by hand. Percentiles are the continuous kind (linear interpolation between closest ranks).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from tortoise import connections

from server.auth.principal import Principal
from server.auth.scope import scope_rule
from server.context import RequestContext
from server.db import sql
from server.org.models import Area, Officer, Team
from server.settings import Settings
from server.supervision.schemas import Stats, StatsGroup, StatsQuery, VisitFilters
from server.supervision.scoped import postcode_prefix

_DIMENSIONS = {"total": "'all'", "area": "area_id", "team": "team_id", "officer": "officer_id"}
_TOTAL = "All visits in scope"
# The linked report's values, else the visit's own (a report links at most one visit).
_REPORTED = (
    "COALESCE((SELECT rp.reference_reported_at FROM report rp WHERE rp.linked_visit_id = visit.id"
    " AND rp.deleted = FALSE), visit.reference_reported_at)"
)
_OFFENCE = (
    "COALESCE((SELECT rp.offence_type FROM report rp WHERE rp.linked_visit_id = visit.id"
    " AND rp.deleted = FALSE), visit.offence_type)"
)


def _where(
    principal: Principal, settings: Settings, f: VisitFilters, dialect: str = "postgres"
) -> tuple[str, list[Any]]:
    """The caller's scope (compiled from ``scope_rule``) and the filters as SQL, with parameters.

    Placeholders are ``$n``; ``server.db.sql`` rewrites them for SQLite.
    """
    clauses = ["deleted = FALSE", "status <> 'draft'"]
    params: list[Any] = []

    def add(clause: str, value: Any) -> None:
        params.append(value)
        clauses.append(clause.replace("?", f"${len(params)}"))

    clauses.append(scope_rule(principal, settings).sql(params))
    if f.date_from or f.date_to:
        _window(clauses, params, f.date_from, f.date_to, dialect)
    if isinstance(f, StatsQuery) and f.week:
        monday = datetime.combine(f.week, time(), tzinfo=UTC)
        _window(clauses, params, monday, monday + timedelta(days=7), dialect)
    if isinstance(f, StatsQuery) and f.offence_type:
        add(f"{_OFFENCE} = ?", f.offence_type.value)
    if f.area:
        add("area_id = ?", f.area)
    if f.team:
        add("team_id = ?", f.team)
    if f.officer:
        add("CAST(officer_id AS TEXT) = ?", str(f.officer))
    if f.status:
        add("status = ?", f.status.value)
    if f.crime_reference:
        add("reference_crime_reference LIKE ?", f.crime_reference.strip().upper() + "%")
    if f.postcode:
        add("address_postcode LIKE ?", postcode_prefix(f.postcode) + "%")
    return " AND ".join(clauses), params


def _window(
    clauses: list[str],
    params: list[Any],
    start: datetime | None,
    end: datetime | None,
    dialect: str,
) -> None:
    """Reported in [start, end) (either may be open), by the linked report's time where there
    is one (``_REPORTED``).

    That test runs a subquery per visit, so no index can find the visits it passes. Before it
    goes a looser test that one can: reported in the window by the visit's own time, or linked
    from a report reported in it (on PostgreSQL an array made once, which the primary key's
    index looks up). Every visit that passes the exact test passes the loose one: it has a live
    report in the window, or none and its own time is in it.
    """
    bounds = [(op, value) for op, value in ((">=", start), ("<", end)) if value]

    def within(column: str) -> str:
        # A parameter for each use: SQLite's placeholders are positional.
        tests = []
        for op, value in bounds:
            params.append(value)
            tests.append(f"{column} {op} ${len(params)}")
        return " AND ".join(tests)

    own = within("visit.reference_reported_at")
    linked = (
        "SELECT rp.linked_visit_id FROM report rp WHERE rp.deleted = FALSE "  # noqa: S608
        f"AND rp.linked_visit_id IS NOT NULL AND {within('rp.reference_reported_at')}"
    )
    found = f"visit.id IN ({linked})"
    if dialect == "postgres":
        found = f"visit.id = ANY(ARRAY({linked}))"
    clauses.append(f"(({own}) OR {found})")
    clauses.append(within(_REPORTED))


def _per_dimension(dialect: str, key: str, where: str, target_param: str) -> str:
    """The figures grouped by one key (``'all'``, area, team or officer): SQLite's path."""
    if dialect == "postgres":
        duration = f"EXTRACT(EPOCH FROM (attendance_arrived_at - {_REPORTED}))"
        repeat = "victim_vulnerabilities @> '[\"repeat_victim\"]'::jsonb"
        vulnerable = "jsonb_array_length(victim_vulnerabilities) > 0"
        advice = "(jsonb_array_length(advice_items) > 0 OR COALESCE(advice_extra, '') <> '')"
        percentiles = (
            "SELECT k, percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS p50, "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY d) AS p90 "
            "FROM v WHERE d IS NOT NULL GROUP BY k"
        )
    else:
        duration = f"(julianday(attendance_arrived_at) - julianday({_REPORTED})) * 86400.0"
        repeat = "victim_vulnerabilities LIKE '%\"repeat_victim\"%'"
        vulnerable = "victim_vulnerabilities <> '[]'"
        advice = "(advice_items <> '[]' OR COALESCE(advice_extra, '') <> '')"
        # percentile_cont by hand: position 1 + p(n-1) between ranks floor and floor+1.
        percentiles = """
            SELECT k,
              MAX(CASE WHEN rn = CAST(1 + 0.5 * (n - 1) AS INTEGER) THEN d END)
                + (0.5 * (n - 1) - CAST(0.5 * (n - 1) AS INTEGER))
                * (COALESCE(MAX(CASE WHEN rn = CAST(1 + 0.5 * (n - 1) AS INTEGER) + 1 THEN d END),
                            MAX(CASE WHEN rn = CAST(1 + 0.5 * (n - 1) AS INTEGER) THEN d END))
                   - MAX(CASE WHEN rn = CAST(1 + 0.5 * (n - 1) AS INTEGER) THEN d END)) AS p50,
              MAX(CASE WHEN rn = CAST(1 + 0.9 * (n - 1) AS INTEGER) THEN d END)
                + (0.9 * (n - 1) - CAST(0.9 * (n - 1) AS INTEGER))
                * (COALESCE(MAX(CASE WHEN rn = CAST(1 + 0.9 * (n - 1) AS INTEGER) + 1 THEN d END),
                            MAX(CASE WHEN rn = CAST(1 + 0.9 * (n - 1) AS INTEGER) THEN d END))
                   - MAX(CASE WHEN rn = CAST(1 + 0.9 * (n - 1) AS INTEGER) THEN d END)) AS p90
            FROM (
              SELECT k, d, ROW_NUMBER() OVER (PARTITION BY k ORDER BY d) AS rn,
                     COUNT(*) OVER (PARTITION BY k) AS n
              FROM v WHERE d IS NOT NULL
            ) ranked GROUP BY k"""
    csi = "enquiry_csi_requested = TRUE"
    # Every piece interpolated here is a constant of this module; values travel as parameters.
    return f"""
        WITH v AS (
            SELECT CAST({key} AS TEXT) AS k, id, status, {duration} AS d,
                   CASE WHEN {repeat} THEN 1 ELSE 0 END AS repeat_victim,
                   CASE WHEN {vulnerable} THEN 1 ELSE 0 END AS vulnerable,
                   CASE WHEN {advice} THEN 1 ELSE 0 END AS advised,
                   CASE WHEN {csi} THEN 1 ELSE 0 END AS csi
            FROM visit WHERE {where}
        ),
        kits AS (
            SELECT v.k, COUNT(kit_issue.id) AS kits
            FROM v JOIN kit_issue ON kit_issue.visit_id = v.id AND kit_issue.deleted = FALSE
            GROUP BY v.k
        ),
        pct AS ({percentiles})
        SELECT v.k AS k,
               COUNT(*) AS visits,
               MAX(pct.p50) AS p50,
               MAX(pct.p90) AS p90,
               SUM(CASE WHEN v.d IS NOT NULL THEN 1 ELSE 0 END) AS timed,
               SUM(CASE WHEN v.d IS NOT NULL AND v.d <= {target_param} THEN 1 ELSE 0 END)
                   AS within_target,
               COALESCE(MAX(kits.kits), 0) AS kits,
               SUM(v.advised) AS advised,
               SUM(v.csi) AS csi,
               SUM(v.repeat_victim) AS repeat_victims,
               SUM(v.vulnerable) AS vulnerable,
               SUM(CASE WHEN v.status = 'completed' THEN 1 ELSE 0 END) AS awaiting
        FROM v
        LEFT JOIN pct ON pct.k = v.k
        LEFT JOIN kits ON kits.k = v.k
        GROUP BY v.k
        ORDER BY v.k
    """  # noqa: S608


def _grouping_sets(where: str, target_param: str) -> str:
    """Every dimension's figures in one PostgreSQL statement (``dim`` names the dimension),
    with the names the response shows.

    Each visit is read once, with its kit count from the kit issue index (a correlated count
    keeps the planner's estimates true; a join to a grouped CTE made it guess 46 times the
    rows, and cross the JIT threshold). ``percentile_cont`` and ``COUNT(d)`` ignore visits
    without both times, as the per-dimension statements do by filtering them out.
    """
    return f"""
        WITH v AS (
            SELECT id, area_id, team_id, officer_id, status,
                   EXTRACT(EPOCH FROM (attendance_arrived_at - {_REPORTED})) AS d,
                   victim_vulnerabilities @> '["repeat_victim"]'::jsonb AS repeat_victim,
                   jsonb_array_length(victim_vulnerabilities) > 0 AS vulnerable,
                   (jsonb_array_length(advice_items) > 0 OR COALESCE(advice_extra, '') <> '')
                       AS advised,
                   enquiry_csi_requested AS csi,
                   (SELECT COUNT(*) FROM kit_issue k
                    WHERE k.visit_id = visit.id AND k.deleted = FALSE) AS kits
            FROM visit WHERE {where}
        )
        SELECT CASE GROUPING(v.area_id, v.team_id, v.officer_id)
                 WHEN 7 THEN 'total' WHEN 3 THEN 'area' WHEN 5 THEN 'team' ELSE 'officer'
               END AS dim,
               COALESCE(CAST(v.area_id AS TEXT), CAST(v.team_id AS TEXT),
                        CAST(v.officer_id AS TEXT), 'all') AS k,
               CASE GROUPING(v.area_id, v.team_id, v.officer_id)
                 WHEN 7 THEN '{_TOTAL}' WHEN 3 THEN MAX(a.name) WHEN 5 THEN MAX(t.name)
                 ELSE MAX(o.display_name || ' (' || o.collar_number || ')')
               END AS name,
               COUNT(*) AS visits,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY v.d) AS p50,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY v.d) AS p90,
               COUNT(v.d) AS timed,
               COUNT(*) FILTER (WHERE v.d <= {target_param}) AS within_target,
               COALESCE(SUM(v.kits), 0) AS kits,
               COUNT(*) FILTER (WHERE v.advised) AS advised,
               COUNT(*) FILTER (WHERE v.csi) AS csi,
               COUNT(*) FILTER (WHERE v.repeat_victim) AS repeat_victims,
               COUNT(*) FILTER (WHERE v.vulnerable) AS vulnerable,
               COUNT(*) FILTER (WHERE v.status = 'completed') AS awaiting
        FROM v JOIN area a ON a.id = v.area_id JOIN team t ON t.id = v.team_id
        JOIN officer o ON o.id = v.officer_id
        GROUP BY GROUPING SETS ((), (v.area_id), (v.team_id), (v.officer_id))
        ORDER BY k
    """  # noqa: S608


async def figure_rows(
    principal: Principal, settings: Settings, f: VisitFilters, *, grouping_sets: bool | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The figures' rows for each dimension (``total``, ``area``, ``team``, ``officer``), each
    ordered by key and named. ``grouping_sets`` defaults to whether the database has them
    (PostgreSQL: one statement in all); the tests ask for both paths there and compare them."""
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    where, params = _where(principal, settings, f, dialect)
    params.append(settings.attendance_target_seconds)
    target_param = f"${len(params)}"
    if grouping_sets is None:
        grouping_sets = dialect == "postgres"
    if grouping_sets:
        rows = await connection.execute_query_dict(_grouping_sets(where, target_param), params)
        return {name: [r for r in rows if r["dim"] == name] for name in _DIMENSIONS}
    results: dict[str, list[dict[str, Any]]] = {}
    for name, key in _DIMENSIONS.items():
        statement = sql(connection, _per_dimension(dialect, key, where, target_param))
        results[name] = await connection.execute_query_dict(statement, params)
    await _name(results)
    return results


async def _name(results: dict[str, list[dict[str, Any]]]) -> None:
    """Name the per-dimension rows as the grouping-sets statement names its own."""
    areas = {str(i): n for i, n in await Area.all().values_list("id", "name")}
    teams = {str(i): n for i, n in await Team.all().values_list("id", "name")}
    officers = {
        str(i): f"{name} ({collar})"
        for i, name, collar in await Officer.filter(
            id__in=[r["k"] for r in results["officer"]]
        ).values_list("id", "display_name", "collar_number")
    }
    names = {"total": {"all": _TOTAL}, "area": areas, "team": teams, "officer": officers}
    for dimension, rows in results.items():
        results[dimension] = [{**r, "name": names[dimension].get(str(r["k"]), "?")} for r in rows]


def _share(part: Any, whole: Any) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def _group(row: dict[str, Any]) -> StatsGroup:
    return StatsGroup(
        key=str(row["k"]),
        name=row["name"],
        visits=int(row["visits"]),
        median_to_arrival_seconds=None if row["p50"] is None else round(float(row["p50"]), 1),
        p90_to_arrival_seconds=None if row["p90"] is None else round(float(row["p90"]), 1),
        within_target_share=_share(row["within_target"], row["timed"]),
        kits_issued=int(row["kits"]),
        advice_given_share=_share(row["advised"], row["visits"]),
        csi_requested=int(row["csi"] or 0),
        repeat_victims=int(row["repeat_victims"] or 0),
        vulnerable_victims=int(row["vulnerable"] or 0),
        awaiting_review=int(row["awaiting"] or 0),
    )


# The total when nothing is in scope (the per-dimension statements return no row then).
_COUNTS = ("visits", "timed", "within_target", "kits", "advised", "csi", "repeat_victims")
_NOTHING: dict[str, Any] = {"k": "all", "name": _TOTAL, "p50": None, "p90": None}
_NOTHING.update(dict.fromkeys((*_COUNTS, "vulnerable", "awaiting"), 0))


async def pledge_figures(f: VisitFilters, *, ctx: RequestContext) -> Stats:
    """The figures for everything in scope, and by area, team and officer."""
    results = await figure_rows(ctx.caller, ctx.settings, f)
    total = [r for r in results["total"] if r["visits"]] or [_NOTHING]
    return Stats(
        target_seconds=ctx.settings.attendance_target_seconds,
        total=_group(total[0]),
        by_area=[_group(r) for r in results["area"]],
        by_team=[_group(r) for r in results["team"]],
        by_officer=[_group(r) for r in results["officer"]],
    )
