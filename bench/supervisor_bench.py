"""Supervisor queries on PostgreSQL: the filtered visit list and the pledge figures.

    .venv/bin/python bench/supervisor_bench.py [--postgres-url URL] [--visits 100000]
                                               [--list-reps 200] [--stats-reps 50] [--quick]

What it does, all against one PostgreSQL server (``--postgres-url``, default
``$DOORSTEP_BENCH_POSTGRES_URL`` or ``postgres://postgres@127.0.0.1:5432/test``):

1. Creates a throwaway database ``doorstep_supbench_<random>`` and runs ``doorstep migrate``.
2. Loads the force straight into the tables with asyncpg COPY (not timed): 4 areas x 5 teams x
   10 officers, ``--visits`` realistic visits (reported over the last 90 days, arrival 0.5 to
   48 h after the report, status mix draft 10% / completed 30% / returned 5% / approved 55%,
   every section filled as the phone fills it, per-field revisions and authors) and about 0.3
   SmartWater kit issues per visit; then ANALYZE.
3. Enrols an area-scope supervisor (sees a quarter of the visits) and a team-scope supervisor
   (codes from ``doorstep enrol-code``) with the software passkey over HTTP against ``doorstep
   serve --workers 1`` (latency, not throughput).
4. For each supervisor, over the last 30 days, alternating request by request with the baseline:
   ``GET /api/visits?date_from&date_to&status=completed&limit=50`` (page 1, then following
   ``next_cursor`` 5 times to page 6) and ``GET /api/stats?date_from&date_to``, after warm-up.
5. Baseline, same run, same database: the same queries as plain SQL through asyncpg. The list:
   one hand-written SELECT of the summary columns joined to the officer, with the same WHERE,
   ORDER BY created_at DESC, id DESC LIMIT 51 and the same keyset condition. The figures: the
   four statements the endpoint runs on PostgreSQL (the total, then by area, team and officer),
   written out by hand here (``stats_sql``), with the attendance target the endpoint reports,
   and the three name look-ups it makes.

It prints p50 and p99 latency of each beside its baseline, as ratios (Doorstep / baseline), and
the EXPLAIN (ANALYZE, BUFFERS) summary of the baseline queries (time, plan, indexes used), both
the custom plan PostgreSQL makes for the first five executions of a prepared statement and the
generic plan it may keep from the sixth (what the timed runs, after warm-up, mostly get). Every
Doorstep page must list exactly the baseline's visits in the same order and the figures must
count the same visits. The server is stopped and the database dropped at the end, whatever
happens. Exit status 1 if a check fails (or the server answers other than 200), 2 on a setup
problem.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ and harness/

import asyncpg
import httpx

from bench import common
from bench.common import BenchFailure, iso, percentile
from harness.passkeys import sign_in_new_device
from harness.ports import HOST, free_port
from harness.postgres import asyncpg_dsn, throwaway_database
from harness.processes import Process, doorstep, serve_argv

RUN_TIMEOUT = 1800.0  # seconds, everything after the load
PAGE = 50  # the list's page size (the PWA's default)
FOLLOWS = 5  # cursors followed after the first page: page 6 is the deep page
HISTORY_DAYS = 90
WINDOW_DAYS = 30
KITS_PER_VISIT = 0.3
TEAMS_PER_AREA = 5
OFFICERS_PER_TEAM = 10

AREAS = [
    (
        "North Worcestershire",
        ["Redditch", "Bromsgrove", "Kidderminster", "Droitwich"],
        ["B97 4DP", "B98 7HA", "B60 3AR", "B61 8DA", "DY10 1AB", "DY11 6BU", "WR9 8DS"],
    ),
    (
        "South Worcestershire",
        ["Worcester", "Malvern", "Evesham", "Pershore"],
        ["WR1 2ES", "WR2 6BQ", "WR3 8JE", "WR4 9PA", "WR5 1DR", "WR14 3HX", "WR11 4TN"],
    ),
    (
        "Herefordshire",
        ["Hereford", "Leominster", "Ledbury", "Ross-on-Wye"],
        ["HR1 2PJ", "HR2 7NB", "HR4 9AS", "HR6 8NZ", "HR8 2DJ", "HR9 5AB"],
    ),
    (
        "Telford and Wrekin",
        ["Telford", "Wellington", "Newport", "Madeley"],
        ["TF1 1HB", "TF2 6AE", "TF3 4NB", "TF7 5AB", "TF8 7AW", "TF10 7BJ"],
    ),
]
TEAM_NAMES = ["Response A", "Response B", "Response C", "Response D", "Neighbourhood"]
STREETS = [
    *common.STREETS[:6],
    "Church Street",
    "Malvern Road",
    "Station Road",
    "Orchard Close",
    "Mill Lane",
    "Victoria Avenue",
]
FIRST, LAST = common.FIRST, common.LAST
PROPERTY_TYPES = ["semi", "semi", "terrace", "terrace", "detached", "flat", "bungalow", "other"]
OFFENCE_TYPES = ["dwelling"] * 6 + ["attempted", "attempted", "garage_or_outbuilding", "car_key"]
ENTRY_POINTS = ["rear_door", "rear_door", "front_door", "window", "window", "patio_door", "garage"]
ENTRY_METHODS = ["forced", "forced", "insecure", "key", "deception", "unknown"]
VULNERABILITIES = ["elderly", "disability", "lives_alone", "repeat_victim", "bogus_caller_target"]
FORENSICS = ["fingerprints", "footwear", "dna", "tool_marks"]
ROOMS = ["kitchen", "hallway", "lounge", "bedroom 1", "bedroom 2", "study", "garage"]
ADVICE_IDS = [
    "wide-window-locks",
    "wide-double-locks",
    "wide-interior-timer-lights",
    "lock-when-home",
    "car-keys-away",
    "letterbox-guard",
    "door-viewer-chain",
    "visible-alarm",
    "mark-register-property",
    "shed-garage",
    "valuables-out-of-sight",
]
STATUSES = ["draft"] * 10 + ["completed"] * 30 + ["returned"] * 5 + ["approved"] * 55

# The columns every synced record has, before its own.
RECORD_COLUMNS = [
    "id",
    "rev",
    "field_revs",
    "field_authors",
    "conflicts",
    "version",
    "deleted",
    "created_at",
    "updated_at",
]
# Every column of ``visit`` the loader writes, in COPY order (the rest are left NULL).
VISIT_COLUMNS = [
    *RECORD_COLUMNS,
    "officer_id",
    "team_id",
    "area_id",
    "status",
    "completed_at",
    "approved_at",
    "review_note",
    "reference_crime_reference",
    "reference_incident_number",
    "reference_reported_at",
    "reference_officer_in_charge",
    "attendance_arrived_at",
    "attendance_left_at",
    "address_line1",
    "address_town",
    "address_postcode",
    "location_latitude",
    "location_longitude",
    "location_accuracy_m",
    "place_property_type",
    "place_occupied",
    "victim_name",
    "victim_phone",
    "victim_preferred_contact",
    "victim_vulnerabilities",
    "victim_interpreter_needed",
    "victim_victims_code_given",
    "victim_referral_consent",
    "victim_referral_made",
    "offence_type",
    "offence_last_secure_at",
    "offence_discovered_at",
    "offence_entry_point",
    "offence_entry_method",
    "offence_rooms_entered",
    "loss_damage",
    "loss_vehicle_registration",
    "enquiry_forensic_opportunities",
    "enquiry_csi_requested",
    "enquiry_scene_preservation_advised",
    "enquiry_digital_evidence",
    "enquiry_house_to_house",
    "enquiry_witnesses",
    "advice_items",
    "advice_extra",
    "advice_leaflet_given",
    "advice_survey_requested",
]
JSON_LISTS = {
    "conflicts",
    "victim_vulnerabilities",
    "offence_rooms_entered",
    "enquiry_forensic_opportunities",
    "enquiry_digital_evidence",
    "enquiry_house_to_house",
    "enquiry_witnesses",
    "advice_items",
}
# Columns that are bookkeeping, not fields a client writes (no field_revs entry).
NOT_FIELDS = {*VISIT_COLUMNS[:12], "completed_at", "approved_at", "review_note"}
KIT_COLUMNS = [
    *RECORD_COLUMNS,
    "visit_id",
    "kit_code",
    "recipient",
    "recipient_name",
    "address_line1",
    "address_town",
    "address_postcode",
    "registration",
]


def code_of(name: str) -> str:
    """The code ``server.org.service`` derives from a team or area name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]


def dotted(column: str) -> str:
    """``address_postcode`` -> ``address.postcode`` (the sync path of a column)."""
    section, _, rest = column.partition("_")
    return f"{section}.{rest}" if rest else column


def new_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID from the seeded generator (the data set is the same every run)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- the data set ----------------------------------------------------------------------------


@dataclass
class Force:
    """What the loader created: the people, and the two supervisors under test."""

    officers: list[tuple[uuid.UUID, int, int]] = field(default_factory=list)  # (id, team, area)
    area_supervisor: tuple[uuid.UUID, str, int, int] | None = None  # (id, collar, team, area)
    team_supervisor: tuple[uuid.UUID, str, int, int] | None = None
    areas: int = 0
    teams: int = 0
    visits: int = 0
    kits: int = 0


async def load_people(conn: asyncpg.Connection, rng: random.Random, now: datetime) -> Force:
    """Areas, teams, officers and the two supervisors (in the first team of the first area)."""
    force = Force()
    collar = 1000
    for a, (area_name, _, _) in enumerate(AREAS):
        area_id = await conn.fetchval(
            "INSERT INTO area (code, name, created_at) VALUES ($1, $2, $3) RETURNING id",
            code_of(area_name),
            area_name,
            now,
        )
        force.areas += 1
        for team_name in TEAM_NAMES:
            full = f"{area_name} {team_name}"
            team_id = await conn.fetchval(
                "INSERT INTO team (code, name, area_id, created_at) VALUES ($1, $2, $3, $4) "
                "RETURNING id",
                code_of(full),
                full,
                area_id,
                now,
            )
            force.teams += 1
            rows = []
            for _ in range(OFFICERS_PER_TEAM):
                collar += 1
                officer_id = new_uuid(rng)
                name = f"PC {rng.choice(FIRST)} {rng.choice(LAST)}"
                rows.append((officer_id, f"{'NSHT'[a]}{collar}", name, "officer", "team", team_id))
                force.officers.append((officer_id, team_id, area_id))
            if a == 0 and team_name == TEAM_NAMES[0]:
                area_sup = (new_uuid(rng), "I9001", team_id, area_id)
                team_sup = (new_uuid(rng), "S9002", team_id, area_id)
                rows.append(
                    (area_sup[0], area_sup[1], "Insp Bench Area", "supervisor", "area", team_id)
                )
                rows.append(
                    (team_sup[0], team_sup[1], "Sgt Bench Team", "supervisor", "team", team_id)
                )
                force.area_supervisor, force.team_supervisor = area_sup, team_sup
            await conn.executemany(
                "INSERT INTO officer (id, collar_number, display_name, role, supervision_scope, "
                "team_id, contact_phone, contact_email, active, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, '', '', TRUE, $7)",
                [(*r, now) for r in rows],
            )
    return force


def visit_row(
    rng: random.Random, n: int, officer: tuple[uuid.UUID, int, int], area: int, end: datetime
) -> dict[str, Any]:
    """One visit as the phone would have written it (and the server stored it)."""
    _, towns, postcodes = AREAS[area]
    status = rng.choice(STATUSES)
    draft = status == "draft"
    start = end - timedelta(days=HISTORY_DAYS)
    reported = start + timedelta(seconds=rng.randrange(0, (HISTORY_DAYS * 24 - 60) * 3600))
    roll = rng.random()
    hours = (
        rng.uniform(0.5, 12)
        if roll < 0.7
        else rng.uniform(12, 24)
        if roll < 0.9
        else rng.uniform(24, 48)
    )
    arrived = reported + timedelta(hours=hours)
    left = arrived + timedelta(minutes=rng.randrange(30, 150))
    created = arrived + timedelta(minutes=rng.randrange(5, 360), seconds=rng.random() * 60)
    offence = rng.choice(OFFENCE_TYPES)
    vulnerable = rng.random() < 0.35
    row: dict[str, Any] = {
        "id": new_uuid(rng),
        "deleted": False,
        "created_at": created,
        "officer_id": officer[0],
        "team_id": officer[1],
        "area_id": officer[2],
        "status": status,
        "reference_crime_reference": f"22/{n % 100000:05d}/{reported.year % 100:02d}",
        "reference_incident_number": f"INC-{reported:%Y%m%d}-{rng.randrange(1, 999):04d}",
        "reference_reported_at": reported,
        "reference_officer_in_charge": f"DC {rng.choice(FIRST)} {rng.choice(LAST)}",
        "attendance_arrived_at": arrived,
        "attendance_left_at": None if draft and rng.random() < 0.5 else left,
        "address_line1": f"{rng.randrange(1, 240)} {rng.choice(STREETS)}",
        "address_town": rng.choice(towns),
        "address_postcode": rng.choice(postcodes),
        "location_latitude": round(52.0 + rng.random() * 0.8, 6) if rng.random() < 0.6 else None,
        "location_longitude": round(-2.9 + rng.random() * 0.9, 6) if rng.random() < 0.6 else None,
        "place_property_type": rng.choice(PROPERTY_TYPES),
        "place_occupied": rng.choice(["yes", "no", "no", "unknown"]),
        "victim_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "victim_phone": f"07700 900{rng.randrange(0, 1000):03d}",
        "victim_preferred_contact": rng.choice(["phone", "phone", "text", "email"]),
        "victim_vulnerabilities": rng.sample(VULNERABILITIES, rng.randrange(1, 3))
        if vulnerable
        else [],
        "victim_interpreter_needed": rng.random() < 0.04,
        "victim_victims_code_given": None if draft else True,
        "victim_referral_consent": rng.random() < 0.6,
        "offence_type": offence,
        "offence_last_secure_at": reported - timedelta(hours=rng.uniform(1, 14)),
        "offence_discovered_at": reported - timedelta(minutes=rng.randrange(5, 60)),
        "offence_entry_point": rng.choice(ENTRY_POINTS),
        "offence_entry_method": rng.choice(ENTRY_METHODS),
        "offence_rooms_entered": rng.sample(ROOMS, rng.randrange(0, 4)),
        "loss_damage": "Rear door frame split at the lock keep; door secured by the victim."
        if rng.random() < 0.5
        else None,
        "loss_vehicle_registration": f"AB{rng.randrange(10, 75)} CDE"
        if offence == "car_key"
        else None,
        "enquiry_forensic_opportunities": rng.sample(FORENSICS, rng.randrange(0, 3)),
        "enquiry_csi_requested": None if draft and rng.random() < 0.5 else rng.random() < 0.35,
        "enquiry_scene_preservation_advised": rng.random() < 0.7,
        "enquiry_digital_evidence": [
            {"kind": "doorbell", "location": "next door", "holder": "neighbour", "note": None}
        ]
        if rng.random() < 0.3
        else [],
        "enquiry_house_to_house": [
            {
                "address": f"{rng.randrange(1, 240)} {rng.choice(STREETS)}",
                "result": rng.choice(["no_answer", "nothing_seen", "information", "card_left"]),
                "advice_left": True,
                "kit_left": rng.random() < 0.3,
                "note": None,
            }
            for _ in range(rng.choice([0, 0, 2, 3, 4]))
        ],
        "enquiry_witnesses": [{"name": "A. Neighbour", "contact": None, "account": "Heard a bang."}]
        if rng.random() < 0.1
        else [],
        "advice_items": [
            {"id": i, "version": 1} for i in rng.sample(ADVICE_IDS, rng.randrange(1, 5))
        ]
        if rng.random() < 0.85
        else [],
        "advice_extra": "Spoke about a shed alarm." if rng.random() < 0.1 else None,
        "advice_leaflet_given": rng.random() < 0.8,
        "advice_survey_requested": rng.random() < 0.2,
    }
    client = str(new_uuid(rng))
    fields = [c for c, v in row.items() if c not in NOT_FIELDS and v not in (None, [])]
    status_rev = {"draft": 1, "completed": 2, "returned": 3, "approved": 3}[status]
    revs = {dotted(c): 1 for c in fields}
    authors = {dotted(c): client for c in fields}
    revs["status"] = status_rev
    updated = created
    if status != "draft":
        row["completed_at"] = left + timedelta(minutes=rng.randrange(5, 720))
        updated = max(created, row["completed_at"])
    if status in ("approved", "returned"):
        reviewed = updated + timedelta(hours=rng.uniform(2, 72))
        authors["status"] = "user:" + str(new_uuid(rng))
        updated = reviewed
        if status == "approved":
            row["approved_at"] = reviewed
        else:
            row["review_note"] = "Please add the house-to-house calls."
    row["updated_at"] = min(updated, end)
    row["rev"] = status_rev
    row["field_revs"] = revs
    row["field_authors"] = authors
    row["conflicts"] = []
    return row


def as_record(row: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    """A dict row as a COPY record (jsonb travels as text)."""
    out = []
    for c in columns:
        value = row.get(c)
        if c in JSON_LISTS or c in ("field_revs", "field_authors"):
            value = json.dumps(value if value is not None else [], separators=(",", ":"))
        out.append(value)
    return tuple(out)


async def load_data(db_dsn: str, visits: int, seed: int, end: datetime) -> Force:
    """People, visits and kit issues by COPY, the change counter moved past them, ANALYZE."""
    rng = random.Random(seed)
    conn = await asyncpg.connect(db_dsn)
    try:
        force = await load_people(conn, rng, end - timedelta(days=HISTORY_DAYS + 30))
        area_index = {
            area_id: i for i, area_id in enumerate(sorted({o[2] for o in force.officers}))
        }
        rows = []
        for n in range(visits):
            officer = rng.choice(force.officers)
            rows.append(visit_row(rng, n + 1, officer, area_index[officer[2]], end))
        rows.sort(key=lambda r: r["created_at"])  # the change feed follows arrival order
        for version, row in enumerate(rows, 1):
            row["version"] = version
        await conn.copy_records_to_table(
            "visit", records=[as_record(r, VISIT_COLUMNS) for r in rows], columns=VISIT_COLUMNS
        )
        eligible = [r for r in rows if r["status"] != "draft"]
        kits = []
        version = len(rows)
        for _ in range(round(visits * KITS_PER_VISIT)):
            visit = rng.choice(eligible)
            version += 1
            neighbour = rng.random() < 0.4
            when = visit["created_at"] + timedelta(minutes=rng.randrange(0, 30))
            kit = {
                "id": new_uuid(rng),
                "rev": 1,
                "conflicts": [],
                "version": version,
                "deleted": False,
                "created_at": when,
                "updated_at": when,
                "visit_id": visit["id"],
                "kit_code": f"SW-{rng.randrange(10**7):07d}",
                "recipient": "neighbour" if neighbour else "victim",
                "recipient_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "address_line1": f"{rng.randrange(1, 240)} {rng.choice(STREETS)}"
                if neighbour
                else visit["address_line1"],
                "address_town": visit["address_town"],
                "address_postcode": visit["address_postcode"],
                "registration": rng.choice(["done", "to_do"]),
            }
            written = [c for c in KIT_COLUMNS[10:] if kit[c] is not None]
            paths = ["visit_id"] + [dotted(c) if c.startswith("address_") else c for c in written]
            kit["field_revs"] = dict.fromkeys(paths, 1)
            kit["field_authors"] = dict.fromkeys(kit["field_revs"], "bench-loader")
            kits.append(kit)
        await conn.copy_records_to_table(
            "kit_issue", records=[as_record(k, KIT_COLUMNS) for k in kits], columns=KIT_COLUMNS
        )
        await conn.execute("UPDATE change_counter SET value = $1 WHERE id = 1", version)
        await conn.execute("ANALYZE")
        force.visits, force.kits = len(rows), len(kits)
    finally:
        await conn.close()
    return force


# --- the baseline queries --------------------------------------------------------------------

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
    duration = "EXTRACT(EPOCH FROM (attendance_arrived_at - reference_reported_at))"
    repeat = "victim_vulnerabilities @> '[\"repeat_victim\"]'::jsonb"
    vulnerable = "jsonb_array_length(victim_vulnerabilities) > 0"
    advice = "(jsonb_array_length(advice_items) > 0 OR COALESCE(advice_extra, '') <> '')"
    where = (
        f"deleted = FALSE AND {scope_column} = $1 "
        "AND reference_reported_at >= $2 AND reference_reported_at < $3"
    )
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


@dataclass
class Subject:
    """One supervisor under test: their HTTP client and the queries' parameters."""

    label: str
    client: httpx.AsyncClient
    scope_column: str
    scope_value: int
    date_from: datetime
    date_to: datetime
    in_scope: int = 0
    in_window: int = 0
    matching: int = 0
    pages: int = 0  # pages walked (1 + cursors followed)
    target_seconds: int = 0  # the attendance target the figures use (the endpoint says which)
    samples: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)

    def list_args(self, cursor: tuple[datetime, uuid.UUID] | None) -> list[Any]:
        args: list[Any] = [self.scope_value, self.date_from, self.date_to, "completed"]
        return args + list(cursor) if cursor else args

    def query_params(self, cursor: str | None = None) -> dict[str, str]:
        params = {
            "date_from": iso(self.date_from),
            "date_to": iso(self.date_to),
            "status": "completed",
            "limit": str(PAGE),
        }
        if cursor:
            params["cursor"] = cursor
        return params

    def stats_statements(self) -> tuple[list[str], list[Any]]:
        statements = [stats_sql(self.scope_column, key) for key in STATS_KEYS]
        return statements, [self.scope_value, self.date_from, self.date_to, self.target_seconds]


async def doorstep_page(
    subject: Subject, cursor: str | None
) -> tuple[float, list[str], str | None]:
    """One page of ``GET /api/visits``: (seconds, visit ids, next cursor)."""
    started = time.perf_counter()
    response = await subject.client.get("/api/visits", params=subject.query_params(cursor))
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchFailure(f"GET /api/visits: HTTP {response.status_code} {response.text[:300]}")
    body = response.json()
    return elapsed, [v["id"] for v in body["visits"]], body["next_cursor"]


async def baseline_page(
    conn: asyncpg.Connection, subject: Subject, cursor: tuple[datetime, uuid.UUID] | None
) -> tuple[float, list[str], tuple[datetime, uuid.UUID] | None]:
    """The same page as plain SQL: (seconds, visit ids, next keyset position)."""
    sql = list_sql(subject.scope_column, cursor is not None)
    started = time.perf_counter()
    rows = await conn.fetch(sql, *subject.list_args(cursor))
    elapsed = time.perf_counter() - started
    page = rows[:PAGE]
    more = len(rows) > PAGE
    return (
        elapsed,
        [str(r["id"]) for r in page],
        (page[-1]["created_at"], page[-1]["id"]) if more else None,
    )


async def doorstep_stats(subject: Subject) -> tuple[float, dict[str, Any]]:
    """``GET /api/stats`` over the window."""
    params = {"date_from": iso(subject.date_from), "date_to": iso(subject.date_to)}
    started = time.perf_counter()
    response = await subject.client.get("/api/stats", params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchFailure(f"GET /api/stats: HTTP {response.status_code} {response.text[:300]}")
    return elapsed, response.json()


async def baseline_stats(
    conn: asyncpg.Connection, statements: list[str], params: list[Any]
) -> tuple[float, list[list[asyncpg.Record]]]:
    """The endpoint's statements, one per dimension, then its three name look-ups."""
    started = time.perf_counter()
    results = [await conn.fetch(s, *params) for s in statements]
    await conn.fetch("SELECT id, name FROM area")
    await conn.fetch("SELECT id, name FROM team")
    await conn.fetch(
        "SELECT id, display_name, collar_number FROM officer WHERE id = ANY($1::uuid[])",
        [uuid.UUID(r["k"]) for r in results[-1]],
    )
    return time.perf_counter() - started, results


# --- measuring -------------------------------------------------------------------------------


async def check(conn: asyncpg.Connection, subject: Subject) -> None:
    """Doorstep lists exactly the baseline's visits, page by page, and counts the same figures."""
    column = subject.scope_column
    subject.in_scope = await conn.fetchval(
        f"SELECT count(*) FROM visit WHERE {column} = $1 AND NOT deleted",
        subject.scope_value,
    )
    subject.in_window = await conn.fetchval(
        f"SELECT count(*) FROM visit WHERE {column} = $1 AND NOT deleted "
        "AND reference_reported_at >= $2 AND reference_reported_at < $3",
        *subject.list_args(None)[:3],
    )
    subject.matching = await conn.fetchval(
        f"SELECT count(*) FROM visit WHERE {column} = $1 AND NOT deleted "
        "AND reference_reported_at >= $2 AND reference_reported_at < $3 AND status = $4",
        *subject.list_args(None),
    )
    d_cursor: str | None = None
    b_cursor: tuple[datetime, uuid.UUID] | None = None
    for page in range(1, FOLLOWS + 2):
        _, d_ids, d_cursor = await doorstep_page(subject, d_cursor)
        _, b_ids, b_cursor = await baseline_page(conn, subject, b_cursor)
        if d_ids != b_ids:
            raise BenchFailure(
                f"{subject.label} page {page}: Doorstep listed {len(d_ids)} visits, the baseline "
                f"{len(b_ids)}, not the same ones in the same order"
            )
        if (d_cursor is None) != (b_cursor is None):
            raise BenchFailure(f"{subject.label} page {page}: next_cursor disagrees")
        subject.pages = page
        if d_cursor is None:
            break
    _, stats = await doorstep_stats(subject)
    subject.target_seconds = int(stats["target_seconds"])
    statements, params = subject.stats_statements()
    _, results = await baseline_stats(conn, statements, params)
    total = results[0][0]["visits"] if results[0] else 0
    kits = results[0][0]["kits"] if results[0] else 0
    if stats["total"]["visits"] != total or stats["total"]["visits"] != subject.in_window:
        raise BenchFailure(
            f"{subject.label} stats: Doorstep counts {stats['total']['visits']} visits, the "
            f"baseline {total}, the window holds {subject.in_window}"
        )
    if stats["total"]["kits_issued"] != kits or len(stats["by_officer"]) != len(results[3]):
        raise BenchFailure(f"{subject.label} stats: kits or officer groups disagree")


async def alternate(
    reps: int,
    warmup: int,
    doorstep: Callable[[], Awaitable[list[float]]],
    baseline: Callable[[], Awaitable[list[float]]],
) -> tuple[list[list[float]], list[list[float]]]:
    """Run Doorstep then the baseline, ``warmup + reps`` times; keep the timed repetitions."""
    d_all: list[list[float]] = []
    b_all: list[list[float]] = []
    for rep in range(warmup + reps):
        d = await doorstep()
        b = await baseline()
        if rep >= warmup:
            d_all.append(d)
            b_all.append(b)
    return d_all, b_all


async def measure_subject(
    conn: asyncpg.Connection, subject: Subject, args: argparse.Namespace
) -> None:
    """The list (page 1 and the deepest page walked) and the figures, each beside its baseline."""
    await check(conn, subject)

    async def d_chain() -> list[float]:
        times, cursor = [], None
        for _ in range(subject.pages):
            elapsed, _, cursor = await doorstep_page(subject, cursor)
            times.append(elapsed)
        return times

    async def b_chain() -> list[float]:
        times: list[float] = []
        cursor = None
        for _ in range(subject.pages):
            elapsed, _, cursor = await baseline_page(conn, subject, cursor)
            times.append(elapsed)
        return times

    d_all, b_all = await alternate(args.list_reps, args.warmup, d_chain, b_chain)
    subject.samples["list page 1"] = ([t[0] for t in d_all], [t[0] for t in b_all])
    if subject.pages > 1:
        subject.samples[f"list page {subject.pages}"] = (
            [t[-1] for t in d_all],
            [t[-1] for t in b_all],
        )

    statements, params = subject.stats_statements()

    async def d_stats() -> list[float]:
        return [(await doorstep_stats(subject))[0]]

    async def b_stats() -> list[float]:
        return [(await baseline_stats(conn, statements, params))[0]]

    d_all, b_all = await alternate(args.stats_reps, max(2, args.warmup // 4), d_stats, b_stats)
    subject.samples["stats"] = ([t[0] for t in d_all], [t[0] for t in b_all])


def plan_shape(node: dict[str, Any]) -> str:
    """A plan tree on one line: ``Limit(Sort(Bitmap Heap Scan visit(...)))``."""
    label = node["Node Type"]
    if node.get("Subplan Name"):
        label = f"[{node['Subplan Name']}] {label}"
    if node.get("Sort Method"):
        label += f" [{node['Sort Method']}]"
    if node.get("Index Name"):
        label += f" {node['Index Name']}"
    elif node.get("Relation Name"):
        label += f" {node['Relation Name']}"
    if node.get("CTE Name"):
        label += f" {node['CTE Name']}"
    if node.get("Relation Name") == "visit" and "Actual Rows" in node:
        removed = int(node.get("Rows Removed by Filter", 0)) + int(
            node.get("Rows Removed by Index Recheck", 0)
        )
        label += f" <{int(node['Actual Rows']):,} rows"
        label += f", {removed:,} removed>" if removed else ">"
    children = node.get("Plans", [])
    if children:
        label += "(" + ", ".join(plan_shape(c) for c in children) + ")"
    return label


def plan_indexes(node: dict[str, Any]) -> list[str]:
    """Every index the plan reads."""
    names = [node["Index Name"]] if node.get("Index Name") else []
    for child in node.get("Plans", []):
        names += plan_indexes(child)
    return names


def sql_literal(value: Any) -> str:
    """A parameter value as a quoted SQL literal, for ``EXECUTE name(...)``."""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text.replace("'", "''") + "'"


async def explain_plan(
    conn: asyncpg.Connection, sql: str, args: list[Any], generic: bool
) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of a prepared statement, forced to a custom or generic plan.

    asyncpg (the baseline and tortoise alike) prepares every statement; PostgreSQL plans the
    first five executions on a connection with the values (custom plans), then may settle on a
    generic plan made without them. EXPLAIN of a statement with parameters always shows the
    custom plan, so the statement is PREPAREd here and EXECUTEd with literals instead.
    """
    mode = "force_generic_plan" if generic else "force_custom_plan"
    await conn.execute(f"PREPARE bench_plan AS {sql}")
    try:
        await conn.execute(f"SET plan_cache_mode = {mode}")
        literals = ", ".join(sql_literal(a) for a in args)
        raw = await conn.fetchval(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE bench_plan({literals})"
        )
    finally:
        await conn.execute("RESET plan_cache_mode")
        await conn.execute("DEALLOCATE bench_plan")
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


def plan_summary(result: dict[str, Any]) -> str:
    """Execution time, buffers and the indexes one EXPLAIN result reads."""
    plan = result["Plan"]
    indexes = sorted(set(plan_indexes(plan)))
    return (
        f"execution {result['Execution Time']:.2f} ms, estimated cost {plan['Total Cost']:,.0f}"
        f", shared buffers hit {plan.get('Shared Hit Blocks', 0):,} read "
        f"{plan.get('Shared Read Blocks', 0):,}; index used: "
        + (f"yes ({', '.join(indexes)})" if indexes else "no")
    )


async def explain(conn: asyncpg.Connection, title: str, sql: str, args: list[Any]) -> list[str]:
    """Both plans of one baseline query (the generic one printed only when its shape differs)."""
    custom = await explain_plan(conn, sql, args, generic=False)
    generic = await explain_plan(conn, sql, args, generic=True)
    lines = [
        f"  {title}",
        f"    custom plan (executions 1-5): {plan_summary(custom)}",
        f"      {plan_shape(custom['Plan'])}",
        f"    generic plan (forced, as from execution 6): {plan_summary(generic)}",
    ]
    if plan_shape(generic["Plan"]) != plan_shape(custom["Plan"]):
        lines.append(f"      {plan_shape(generic['Plan'])}")
    else:
        lines[-1] += "; same plan"
    return lines


async def explain_all(conn: asyncpg.Connection, subjects: list[Subject]) -> list[str]:
    """Plans of the baseline list (first and deepest page) and of the figures' total."""
    lines = []
    for subject in subjects:
        lines += await explain(
            conn,
            f"{subject.label}, list page 1:",
            list_sql(subject.scope_column, False),
            subject.list_args(None),
        )
        cursor = None
        for _ in range(subject.pages - 1):
            _, _, cursor = await baseline_page(conn, subject, cursor)
        if cursor is not None:
            lines += await explain(
                conn,
                f"{subject.label}, list page {subject.pages}:",
                list_sql(subject.scope_column, True),
                subject.list_args(cursor),
            )
        statements, params = subject.stats_statements()
        lines += await explain(
            conn, f"{subject.label}, stats (the total statement, 1 of 4):", statements[0], params
        )
    return lines


# --- the run ---------------------------------------------------------------------------------


async def measure(
    args: argparse.Namespace, env: dict[str, str], port: int, force: Force, end: datetime
) -> tuple[list[Subject], list[str], str]:
    """Enrol the supervisors, check, time everything, explain the baseline."""
    origin = f"http://localhost:{port}"
    if force.area_supervisor is None or force.team_supervisor is None:
        raise RuntimeError("the loader created no supervisors")
    people = [
        ("area supervisor", force.area_supervisor),
        ("team supervisor", force.team_supervisor),
    ]
    subjects: list[Subject] = []
    clients: list[httpx.AsyncClient] = []
    conn = await asyncpg.connect(asyncpg_dsn(env["DOORSTEP_DATABASE_URL"]))
    try:
        pg_version = str(await conn.fetchval("SHOW server_version"))
        for i, (label, (_, collar, team_id, area_id)) in enumerate(people):
            issued = await asyncio.to_thread(doorstep, "enrol-code", collar, env=env)
            client = common.new_client(port, i)
            clients.append(client)
            code = issued.strip().splitlines()[-1]
            await sign_in_new_device(client, collar, code, origin=origin, label=f"Bench {collar}")
            area_scope = label.startswith("area")
            subjects.append(
                Subject(
                    label=label,
                    client=client,
                    scope_column="area_id" if area_scope else "team_id",
                    scope_value=area_id if area_scope else team_id,
                    date_from=end - timedelta(days=WINDOW_DAYS),
                    date_to=end,
                )
            )
        for subject in subjects:
            await measure_subject(conn, subject, args)
        plans = await explain_all(conn, subjects)
    finally:
        await conn.close()
        for client in clients:
            await client.aclose()
    return subjects, plans, pg_version


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def report(
    args: argparse.Namespace,
    force: Force,
    subjects: list[Subject],
    plans: list[str],
    pg_version: str,
    end: datetime,
) -> None:
    """The table: Doorstep beside the baseline, as ratios; then the baseline's plans."""
    print("Doorstep supervisor benchmark (PostgreSQL)")
    print(common.machine(pg_version))
    print(
        f"data: {force.visits:,} visits over {HISTORY_DAYS} days, {force.kits:,} kit issues; "
        f"{force.areas} areas x {TEAMS_PER_AREA} teams x {OFFICERS_PER_TEAM} officers"
    )
    start = end - timedelta(days=WINDOW_DAYS)
    print(
        f"window: reported {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC ({WINDOW_DAYS} days)"
    )
    for s in subjects:
        print(
            f"  {s.label}: {s.in_scope:,} visits in scope, {s.in_window:,} in the window, "
            f"{s.matching:,} completed ({s.pages} page{'s' * (s.pages > 1)} of {PAGE} walked)"
        )
    print(
        f"runs: list {args.list_reps} x (page 1 + {FOLLOWS} cursors), stats {args.stats_reps}, "
        f"after warm-up; Doorstep and baseline alternate; server uvicorn --workers 1"
    )
    print(
        "Doorstep: HTTP request to the response body read (auth, ORM, 50 audit rows a list "
        "page, JSON, gzip)"
    )
    print(
        "baseline: asyncpg, same process and database; list = one SELECT of the summary "
        "columns joined to officer; stats = the app's 4 statements + 3 name look-ups"
    )
    print()
    header = (
        f"{'query':<34}{'Doorstep p50':>13}{'p99':>9}{'baseline p50':>14}{'p99':>9}"
        f"{'ratio p50':>11}{'ratio p99':>11}"
    )
    print(header + "   (ms)")
    print("-" * len(header))
    for s in subjects:
        for name, (d, b) in s.samples.items():
            d50, d99, b50, b99 = (
                percentile(d, 50),
                percentile(d, 99),
                percentile(b, 50),
                percentile(b, 99),
            )
            label = f"{s.label.split()[0]}: {name}"
            print(
                f"{label:<34}{ms(d50):>13}{ms(d99):>9}{ms(b50):>14}{ms(b99):>9}"
                f"{d50 / b50:>10.1f}x{d99 / b99:>10.1f}x"
            )
    print()
    print("EXPLAIN (ANALYZE, BUFFERS) of the baseline queries:")
    for line in plans:
        print(line)
    print()
    print(
        "checks: every page Doorstep listed = the baseline's visits in the same order; "
        "stats count the same visits, kits and officers: OK"
    )


async def measure_and_report(
    args: argparse.Namespace, env: dict[str, str], port: int, force: Force, end: datetime
) -> None:
    """The measured part, then its report."""
    subjects, plans, pg_version = await measure(args, env, port, force, end)
    report(args, force, subjects, plans, pg_version, end)


async def main_async(args: argparse.Namespace) -> int:
    """Set up, load, measure, report; always stop the server and drop the database."""
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    status = 0
    async with throwaway_database(args.postgres_url, "doorstep_supbench") as db_url:
        port = free_port()
        env = common.server_env(db_url, port)
        log_path = Path(tempfile.gettempdir()) / f"{db_url.rsplit('/', 1)[1]}-server.log"
        server = Process("doorstep serve", serve_argv(port, workers=1), env, log_path)
        try:
            await asyncio.to_thread(doorstep, "migrate", env=env, timeout=300)
            started = time.perf_counter()
            force = await load_data(asyncpg_dsn(db_url), args.visits, args.seed, end)
            print(
                f"(loaded {force.visits:,} visits and {force.kits:,} kit issues in "
                f"{time.perf_counter() - started:.1f} s)",
                file=sys.stderr,
            )
            await server.start_ready(f"http://{HOST}:{port}/readyz")
            work = measure_and_report(args, env, port, force, end)
            status = await common.measured(work, args.timeout)
        finally:
            await asyncio.to_thread(server.stop)
            common.server_log_report(server, status != 0, "ERROR", "Traceback", "WARNING", " 500")
    return status


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments (``--quick`` for a small smoke run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    common.add_postgres_url(parser)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--list-reps", type=int, default=200, help="timed list walks")
    parser.add_argument("--stats-reps", type=int, default=50, help="timed stats requests")
    parser.add_argument("--warmup", type=int, default=20, help="untimed list walks first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT, help="seconds for the run")
    parser.add_argument(
        "--quick", action="store_true", help="5,000 visits, 30 list walks, 10 stats requests"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.visits, args.list_reps, args.stats_reps, args.warmup = 5_000, 30, 10, 5
    if args.visits < 1000 or args.list_reps < 1 or args.stats_reps < 1 or args.warmup < 0:
        parser.error("need visits >= 1000, list/stats reps >= 1 and warmup >= 0")
    common.check_postgres_url(parser, args.postgres_url)
    return args


if __name__ == "__main__":
    sys.exit(common.run(main_async, parse_args()))
