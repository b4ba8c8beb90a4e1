"""The supervisor benchmark's data set: a force of areas, teams and officers, and realistic
visits and kit issues, loaded straight into the tables with asyncpg COPY (seeded: the same data
every run)."""

from __future__ import annotations

import json
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from bench import common

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
