"""The supervisor benchmark's baseline: the endpoints' queries written out by hand, so that the
baseline stays the same SQL whatever the server's code looks like."""

from __future__ import annotations

PAGE = 50  # the list's page size (the PWA's default)

# The figures count completed visits only (drafts are not visits), each at the reported-at time
# of the report linked to it where there is one, else its own (as ``/api/stats`` does).
REPORTED = (
    "COALESCE((SELECT rp.reference_reported_at FROM report rp WHERE rp.linked_visit_id = visit.id"
    " AND rp.deleted = FALSE), visit.reference_reported_at)"
)
# Before the exact test (a subquery per visit), the looser one an index can serve: reported in
# the window by its own time, or linked from a report reported in it.
LINKED_IN_WINDOW = (
    "SELECT rp.linked_visit_id FROM report rp WHERE rp.deleted = FALSE "
    "AND rp.linked_visit_id IS NOT NULL "
    "AND rp.reference_reported_at >= $2 AND rp.reference_reported_at < $3"
)
FIGURES_WHERE = (
    "deleted = FALSE AND status <> 'draft' AND {scope_column} = $1 "
    "AND ((visit.reference_reported_at >= $2 AND visit.reference_reported_at < $3) "
    f"OR visit.id = ANY(ARRAY({LINKED_IN_WINDOW}))) "
    f"AND {REPORTED} >= $2 AND {REPORTED} < $3"
)

LIST_COLUMNS = (
    "v.id, v.status, v.reference_crime_reference, v.reference_reported_at, "
    "v.attendance_arrived_at, v.address_line1, v.address_town, v.address_postcode, v.team_id, "
    "v.area_id, v.completed_at, v.created_at, o.id AS officer_id, o.display_name, "
    "o.collar_number"
)


def stats_sql(scope_column: str, key: str) -> str:
    """The figures by one key (``'all'``, area_id, team_id or officer_id) as one statement: the
    SELECT the endpoint runs on PostgreSQL, written out here by hand so that the baseline stays
    the same query whatever the server's code looks like ($1 the supervisor's area or team,
    $2..$3 the window, $4 the attendance target in seconds)."""
    duration = f"EXTRACT(EPOCH FROM (attendance_arrived_at - {REPORTED}))"
    repeat = "victim_vulnerabilities @> '[\"repeat_victim\"]'::jsonb"
    vulnerable = "jsonb_array_length(victim_vulnerabilities) > 0"
    advice = "(jsonb_array_length(advice_items) > 0 OR COALESCE(advice_extra, '') <> '')"
    where = FIGURES_WHERE.format(scope_column=scope_column)
    return f"""
        WITH v AS (
            SELECT CAST({key} AS TEXT) AS k, id, status, {duration} AS d,
                   CASE WHEN {repeat} THEN 1 ELSE 0 END AS repeat_victim,
                   CASE WHEN {vulnerable} THEN 1 ELSE 0 END AS vulnerable,
                   CASE WHEN {advice} THEN 1 ELSE 0 END AS advised,
                   CASE WHEN enquiry_csi_requested = TRUE THEN 1 ELSE 0 END AS csi
            FROM visit WHERE {where}
        ),
        kits AS (
            SELECT v.k, COUNT(kit_issue.id) AS kits
            FROM v JOIN kit_issue ON kit_issue.visit_id = v.id AND kit_issue.deleted = FALSE
            GROUP BY v.k
        ),
        pct AS (
            SELECT k, percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS p50,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY d) AS p90
            FROM v WHERE d IS NOT NULL GROUP BY k
        )
        SELECT v.k AS k, COUNT(*) AS visits, MAX(pct.p50) AS p50, MAX(pct.p90) AS p90,
               SUM(CASE WHEN v.d IS NOT NULL THEN 1 ELSE 0 END) AS timed,
               SUM(CASE WHEN v.d IS NOT NULL AND v.d <= $4 THEN 1 ELSE 0 END) AS within_target,
               COALESCE(MAX(kits.kits), 0) AS kits, SUM(v.advised) AS advised,
               SUM(v.csi) AS csi, SUM(v.repeat_victim) AS repeat_victims,
               SUM(v.vulnerable) AS vulnerable,
               SUM(CASE WHEN v.status = 'completed' THEN 1 ELSE 0 END) AS awaiting
        FROM v LEFT JOIN pct ON pct.k = v.k LEFT JOIN kits ON kits.k = v.k
        GROUP BY v.k ORDER BY v.k
    """


STATS_KEYS = ("'all'", "area_id", "team_id", "officer_id")  # the total, then by each


def list_sql(scope_column: str, deep: bool) -> str:
    """The visit list as one hand-written statement ($1 scope, $2..$3 window, $4 status)."""
    keyset = " AND (v.created_at < $5 OR (v.created_at = $5 AND v.id < $6))" if deep else ""
    return (
        f"SELECT {LIST_COLUMNS} FROM visit v JOIN officer o ON o.id = v.officer_id "
        f"WHERE v.{scope_column} = $1 AND v.deleted = FALSE AND v.reference_reported_at >= $2 "
        f"AND v.reference_reported_at < $3 AND v.status = $4{keyset} "
        f"ORDER BY v.created_at DESC, v.id DESC LIMIT {PAGE + 1}"
    )


APP_PAGE = 25  # the app's own page, with no filter: what a supervisor sees first


def default_list_sql(scope_column: str) -> str:
    """The list as the app first asks for it: the scope alone, newest first ($1 scope)."""
    return (
        f"SELECT {LIST_COLUMNS} FROM visit v JOIN officer o ON o.id = v.officer_id "
        f"WHERE v.{scope_column} = $1 AND v.deleted = FALSE "
        f"ORDER BY v.created_at DESC, v.id DESC LIMIT {APP_PAGE + 1}"
    )


def stats_grouping_sql(scope_column: str) -> str:
    """The figures as one statement: every visit in the window read once, grouped by GROUPING
    SETS into the total and by area, team and officer, named (``dim`` says which, ``k`` the key;
    $1 scope, $2..$3 window, $4 the attendance target in seconds). The same figures as the four
    ``stats_sql`` statements, which the checks compare."""
    return f"""
        WITH v AS (
            SELECT id, area_id, team_id, officer_id, status,
                   EXTRACT(EPOCH FROM (attendance_arrived_at - {REPORTED})) AS d,
                   victim_vulnerabilities @> '["repeat_victim"]'::jsonb AS repeat_victim,
                   jsonb_array_length(victim_vulnerabilities) > 0 AS vulnerable,
                   (jsonb_array_length(advice_items) > 0 OR COALESCE(advice_extra, '') <> '')
                       AS advised,
                   enquiry_csi_requested AS csi,
                   (SELECT COUNT(*) FROM kit_issue k
                    WHERE k.visit_id = visit.id AND k.deleted = FALSE) AS kits
            FROM visit
            WHERE {FIGURES_WHERE.format(scope_column=scope_column)}
        )
        SELECT CASE GROUPING(v.area_id, v.team_id, v.officer_id)
                 WHEN 7 THEN 'total' WHEN 3 THEN 'area' WHEN 5 THEN 'team' ELSE 'officer'
               END AS dim,
               COALESCE(CAST(v.area_id AS TEXT), CAST(v.team_id AS TEXT),
                        CAST(v.officer_id AS TEXT), 'all') AS k,
               CASE GROUPING(v.area_id, v.team_id, v.officer_id)
                 WHEN 7 THEN 'All visits in scope' WHEN 3 THEN MAX(a.name)
                 WHEN 5 THEN MAX(t.name)
                 ELSE MAX(o.display_name || ' (' || o.collar_number || ')')
               END AS name,
               COUNT(*) AS visits,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY v.d) AS p50,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY v.d) AS p90,
               COUNT(v.d) AS timed,
               COUNT(*) FILTER (WHERE v.d <= $4) AS within_target,
               COALESCE(SUM(v.kits), 0) AS kits,
               COUNT(*) FILTER (WHERE v.advised) AS advised,
               COUNT(*) FILTER (WHERE v.csi) AS csi,
               COUNT(*) FILTER (WHERE v.repeat_victim) AS repeat_victims,
               COUNT(*) FILTER (WHERE v.vulnerable) AS vulnerable,
               COUNT(*) FILTER (WHERE v.status = 'completed') AS awaiting
        FROM v JOIN area a ON a.id = v.area_id JOIN team t ON t.id = v.team_id
        JOIN officer o ON o.id = v.officer_id
        GROUP BY GROUPING SETS ((), (v.area_id), (v.team_id), (v.officer_id))
        ORDER BY 1, 2
    """


def detail_sql(scope_column: str) -> list[str]:
    """What one visit's detail reads, one statement each ($1 the visit; the first also takes $2
    the supervisor's area or team): the visit with its officer, its property items, kit issues,
    photos, reviews with their reviewer, and revisions with their acting officer. The advice
    titles (``ADVICE_SQL``) follow, for the items the visit ticked."""
    return [
        "SELECT v.*, o.display_name AS officer_name, o.collar_number AS officer_collar "
        "FROM visit v JOIN officer o ON o.id = v.officer_id "
        f"WHERE v.id = $1 AND v.{scope_column} = $2 AND v.deleted = FALSE",
        "SELECT * FROM property_item WHERE visit_id = $1 AND deleted = FALSE ORDER BY created_at",
        "SELECT * FROM kit_issue WHERE visit_id = $1 AND deleted = FALSE ORDER BY created_at",
        "SELECT * FROM photo WHERE visit_id = $1 AND deleted = FALSE ORDER BY taken_at, id",
        "SELECT r.*, o.display_name, o.collar_number FROM review r "
        "JOIN officer o ON o.id = r.reviewer_id WHERE r.visit_id = $1 ORDER BY r.id",
        "SELECT rv.*, o.display_name FROM revision rv LEFT JOIN officer o ON o.id = rv.actor_id "
        "WHERE rv.visit_id = $1 ORDER BY rv.id",
    ]


ADVICE_SQL = (
    "SELECT * FROM advice_catalogue WHERE item_id = ANY($1::text[])"  # what the detail reads
)
