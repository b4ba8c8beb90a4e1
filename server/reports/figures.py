"""``GET /api/pledge``: the pledge figures with the real denominator - every reported burglary.

Counted over reports, not visits: a burglary nobody visited is in the figures (``awaiting``,
``overdue``), a draft is not a visit, and report-to-arrival runs from the reported-at time
that came from the crime system to the linked visit's arrival. One statement per request, on
SQLite and PostgreSQL alike: the reports in the caller's scope (compiled from
``server.auth.scope.report_scope_rule``), joined to their visits, grouped six ways at once.

Percentiles are continuous (linear interpolation between closest ranks, as PostgreSQL's
``percentile_cont``), written with integer arithmetic both databases share: for ``p = a/b`` over
``n`` sorted durations, rank ``lo = a(n-1) div b`` weighs ``1 - f`` and ``lo + 1`` weighs ``f``,
where ``f = (a(n-1) mod b) / b``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections

from server.auth.scope import report_scope_rule
from server.context import RequestContext
from server.db import sql
from server.org.models import Area, Officer, Team
from server.reports.views import Pledge, PledgeGroup, PledgeQuery

# Dimension -> its key over the per-report rows (constants of this module only).
_DIMENSIONS = {
    "total": "'all'",
    "week": "week",
    "offence_type": "offence_type",
    "area": "area",
    "team": "team",
    "officer": "officer",
}
_PERCENTILES = {"p50": (1, 2), "p90": (9, 10)}


def _dialect_parts(dialect: str) -> dict[str, str]:
    if dialect == "postgres":
        return {
            "d": "EXTRACT(EPOCH FROM (v.attendance_arrived_at - r.reference_reported_at))",
            "week": "to_char(date_trunc('week', r.reference_reported_at AT TIME ZONE 'UTC'),"
            " 'YYYY-MM-DD')",
            "vulnerable": "jsonb_array_length(r.victim_vulnerabilities) > 0",
            "time": "r.reference_reported_at",
            "param": "{}",
        }
    return {
        "d": "(julianday(v.attendance_arrived_at) - julianday(r.reference_reported_at)) * 86400.0",
        "week": "date(r.reference_reported_at, 'weekday 0', '-6 days')",
        "vulnerable": "r.victim_vulnerabilities <> '[]'",
        "time": "julianday(r.reference_reported_at)",
        "param": "julianday({})",
    }


def _where(q: PledgeQuery, ctx: RequestContext, parts: dict[str, str], params: list[Any]) -> str:
    """The caller's scope and the filters, as SQL on the ``report`` table aliased ``r``."""
    postgres = parts["param"] == "{}"

    def add(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    def at(value: datetime) -> str:
        utc = value.astimezone(UTC)
        return parts["param"].format(add(utc if postgres else utc.isoformat(" ")))

    clauses = ["r.deleted = FALSE", report_scope_rule(ctx.caller, ctx.settings).sql(params, "r")]
    if q.date_from:
        clauses.append(f"{parts['time']} >= {at(q.date_from)}")
    if q.date_to:
        clauses.append(f"{parts['time']} < {at(q.date_to)}")
    if q.area:
        clauses.append(f"r.area_id = {add(q.area)}")
    if q.team:
        clauses.append(f"r.team_id = {add(q.team)}")
    if q.officer:
        clauses.append(f"CAST(r.officer_id AS TEXT) = {add(str(q.officer))}")
    if q.offence_type:
        clauses.append(f"r.offence_type = {add(q.offence_type.value)}")
    return " AND ".join(clauses)


def _percentile(name: str, a: int, b: int) -> str:
    lo = f"(({a} * (n - 1)) / {b})"
    f = f"((({a} * (n - 1)) % {b}) * 1.0 / {b})"
    return (
        f"SUM(CASE WHEN i = {lo} THEN d * (1 - {f}) "
        f"WHEN i = {lo} + 1 THEN d * {f} ELSE 0 END) AS {name}"
    )


def _statement(parts: dict[str, str], where: str, target: str, overdue_before: str) -> str:
    groups = " UNION ALL ".join(
        f"SELECT '{dim}' AS dim, CAST({key} AS TEXT) AS k, r.* FROM r"  # noqa: S608 - constants
        for dim, key in _DIMENSIONS.items()
    )
    percentiles = ", ".join(_percentile(n, a, b) for n, (a, b) in _PERCENTILES.items())
    visited = "r.state = 'visited'"
    # Every piece interpolated here is a constant of this module; values travel as parameters,
    # whose placeholders appear in the order they were added (SQLite's ``?`` is positional).
    return f"""
        WITH r AS (
            SELECT r.state AS state,
                   {parts["week"]} AS week,
                   r.offence_type AS offence_type,
                   CAST(r.area_id AS TEXT) AS area,
                   COALESCE(CAST(r.team_id AS TEXT), 'none') AS team,
                   COALESCE(CAST(r.officer_id AS TEXT), 'none') AS officer,
                   CASE WHEN {visited} AND v.attendance_arrived_at IS NOT NULL
                        THEN CASE WHEN {parts["d"]} < 0 THEN 0 ELSE {parts["d"]} END END AS d,
                   {parts["time"]} AS t,
                   CASE WHEN r.repeat_computed THEN 1 ELSE 0 END AS repeat_victim,
                   CASE WHEN {parts["vulnerable"]} THEN 1 ELSE 0 END AS vulnerable
            FROM report r LEFT JOIN visit v ON v.id = r.linked_visit_id
            WHERE {where}
        ),
        g AS ({groups}),
        ranked AS (
            SELECT dim, k, d, ROW_NUMBER() OVER (PARTITION BY dim, k ORDER BY d) - 1 AS i,
                   COUNT(*) OVER (PARTITION BY dim, k) AS n
            FROM g WHERE d IS NOT NULL
        ),
        pct AS (SELECT dim, k, {percentiles} FROM ranked GROUP BY dim, k)
        SELECT g.dim AS dim, g.k AS k,
               COUNT(*) AS reported,
               SUM(CASE WHEN g.state = 'visited' THEN 1 ELSE 0 END) AS visited,
               SUM(CASE WHEN g.d IS NOT NULL THEN 1 ELSE 0 END) AS timed,
               SUM(CASE WHEN g.d IS NOT NULL AND g.d <= {target} THEN 1 ELSE 0 END) AS in_time,
               SUM(CASE WHEN g.state IN ('awaiting', 'in_progress') THEN 1 ELSE 0 END)
                   AS awaiting,
               SUM(CASE WHEN g.state = 'in_progress' THEN 1 ELSE 0 END) AS in_progress,
               SUM(CASE WHEN g.state IN ('awaiting', 'in_progress') AND g.t < {overdue_before}
                        THEN 1 ELSE 0 END) AS overdue,
               SUM(CASE WHEN g.state = 'closed' THEN 1 ELSE 0 END) AS closed,
               SUM(g.repeat_victim) AS repeat_victims,
               SUM(g.vulnerable) AS vulnerable,
               MAX(pct.p50) AS p50, MAX(pct.p90) AS p90
        FROM g LEFT JOIN pct ON pct.dim = g.dim AND pct.k = g.k
        GROUP BY g.dim, g.k
        ORDER BY g.dim, g.k
    """  # noqa: S608


def _share(part: Any, whole: Any) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def _seconds(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _group(row: dict[str, Any] | None, key: str, name: str) -> PledgeGroup:
    row = row or {}

    def n(column: str) -> int:
        return int(row.get(column) or 0)

    return PledgeGroup(
        key=key,
        name=name,
        reported=n("reported"),
        visited=n("visited"),
        visited_within_target=n("in_time"),
        awaiting=n("awaiting"),
        in_progress=n("in_progress"),
        overdue=n("overdue"),
        closed=n("closed"),
        visited_share=_share(n("visited"), n("reported") - n("closed")),
        within_target_share=_share(n("in_time"), n("timed")),
        median_to_arrival_seconds=_seconds(row.get("p50")),
        p90_to_arrival_seconds=_seconds(row.get("p90")),
        repeat_victims=n("repeat_victims"),
        vulnerable_victims=n("vulnerable"),
    )


async def pledge(q: PledgeQuery, *, ctx: RequestContext) -> Pledge:
    """The pledge figures for the caller's scope and filters, as of now."""
    connection = connections.get("default")
    parts = _dialect_parts(connection.capabilities.dialect)
    params: list[Any] = []
    where = _where(q, ctx, parts, params)
    params.append(ctx.settings.attendance_target_seconds)
    target = f"${len(params)}"
    cutoff = (ctx.now - timedelta(seconds=ctx.settings.attendance_target_seconds)).astimezone(UTC)
    params.append(cutoff if parts["param"] == "{}" else cutoff.isoformat(" "))
    overdue_before = parts["param"].format(f"${len(params)}")
    statement = sql(connection, _statement(parts, where, target, overdue_before))
    rows = await connection.execute_query_dict(statement, params)
    by: dict[str, list[dict[str, Any]]] = {dim: [] for dim in _DIMENSIONS}
    for row in rows:
        by[row["dim"]].append(row)
    names = await _names(by)
    return Pledge(
        target_seconds=ctx.settings.attendance_target_seconds,
        as_of=ctx.now,
        total=_group(by["total"][0] if by["total"] else None, "all", "All reports in scope"),
        **{
            f"by_{dim}": [
                _group(r, str(r["k"]), names[dim].get(str(r["k"]), str(r["k"]))) for r in rows
            ]
            for dim, rows in by.items()
            if dim != "total"
        },
    )


async def _names(by: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """What each group's key is called: areas, teams and officers by name."""
    officer_ids = [r["k"] for r in by["officer"] if r["k"] != "none"]
    officers = await Officer.filter(id__in=officer_ids)
    return {
        "week": {r["k"]: f"Week of {r['k']}" for r in by["week"]},
        "offence_type": {},
        "area": {str(a.id): a.name for a in await Area.all()},
        "team": {"none": "No team", **{str(t.id): t.name for t in await Team.all()}},
        "officer": {
            "none": "Nobody assigned",
            **{str(o.id): f"{o.display_name} ({o.collar_number})" for o in officers},
        },
    }
