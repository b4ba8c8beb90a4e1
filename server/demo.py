"""A small, realistic, entirely fictional demo: an area, two teams, officers and visits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from server.advice.catalogue import load_default_catalogue
from server.clock import Clock
from server.context import RequestContext
from server.org.models import Officer, Role, SupervisionScope
from server.org.service import create_officer
from server.settings import Settings
from server.visits.models import Visit
from server.visits.schemas import VisitRecord
from server.visits.service import create_visit

AREA = "South Worcestershire"
DEMO_OFFICERS: list[dict[str, Any]] = [
    {
        "collar_number": "1234",
        "display_name": "PC Sam Patel",
        "role": Role.OFFICER,
        "team_name": "Worcester Response A",
        "contact_phone": "01905 000 101",
    },
    {
        "collar_number": "5678",
        "display_name": "PCSO Jo Evans",
        "role": Role.OFFICER,
        "team_name": "Malvern Neighbourhood",
        "contact_phone": "01684 000 202",
    },
    {
        "collar_number": "2001",
        "display_name": "Sgt Alex Morgan",
        "role": Role.SUPERVISOR,
        "team_name": "Worcester Response A",
        "supervision_scope": SupervisionScope.AREA,
    },
    {
        "collar_number": "9001",
        "display_name": "Chris Webb (administrator)",
        "role": Role.ADMIN,
        "team_name": "Worcester Response A",
    },
]

# (officer collar, hours ago reported, hours to arrival, status, record sections)
_VISITS: list[tuple[str, int, float, str, dict[str, Any]]] = [
    (
        "1234",
        30,
        2.5,
        "completed",
        {
            "reference": {"crime_reference": "22/41871/26", "officer_in_charge": "DC Lee Hart"},
            "address": {
                "line1": "14 Lansdowne Crescent",
                "town": "Worcester",
                "postcode": "WR3 8JE",
            },
            "place": {"property_type": "semi", "occupied": "no"},
            "victim": {
                "name": "Margaret Ellis",
                "phone": "07700 900123",
                "preferred_contact": "phone",
                "vulnerabilities": ["elderly", "lives_alone"],
                "victims_code_given": True,
                "referral_consent": True,
                "referral_made": True,
            },
            "offence": {
                "type": "dwelling",
                "entry_point": "rear_door",
                "entry_method": "forced",
                "rooms_entered": ["kitchen", "main bedroom"],
            },
            "enquiry": {
                "forensic_opportunities": ["footwear", "tool_marks"],
                "csi_requested": True,
            },
            "advice": {
                "items": [{"id": "wide-double-locks", "version": 1}],
                "leaflet_given": True,
            },
        },
    ),
    (
        "1234",
        6,
        1.0,
        "draft",
        {
            "reference": {"crime_reference": "22/42010/26"},
            "address": {"line1": "3 London Road", "town": "Worcester", "postcode": "WR5 2DL"},
            "place": {"property_type": "terrace", "occupied": "yes"},
            "victim": {"name": "Daniel Okafor", "email": "d.okafor@example.org"},
            "offence": {"type": "car_key", "entry_point": "front_door", "entry_method": "insecure"},
            "loss": {"vehicle_registration": "AB12 CDE"},
        },
    ),
    (
        "5678",
        50,
        20.0,
        "completed",
        {
            "reference": {"crime_reference": "22/41502/26"},
            "address": {
                "line1": "Flat 2, 9 Church Street",
                "town": "Malvern",
                "postcode": "WR14 2AY",
            },
            "place": {"property_type": "flat", "occupied": "no"},
            "victim": {"name": "Priya Shah", "phone": "07700 900456", "victims_code_given": True},
            "offence": {"type": "attempted", "entry_point": "window", "entry_method": "forced"},
            "advice": {
                "items": [
                    {"id": "wide-window-locks", "version": 1},
                    {"id": "wide-exterior-sensor-lights", "version": 1},
                ]
            },
        },
    ),
    (
        "5678",
        80,
        30.0,
        "completed",
        {
            "reference": {"crime_reference": "22/41377/26"},
            "address": {
                "line1": "Orchard Cottage, Hanley Road",
                "town": "Malvern",
                "postcode": "WR14 4HZ",
            },
            "place": {"property_type": "detached", "occupied": "unknown"},
            "victim": {
                "name": "Tom Whitfield",
                "phone": "07700 900789",
                "vulnerabilities": ["repeat_victim"],
                "victims_code_given": True,
            },
            "offence": {
                "type": "garage_or_outbuilding",
                "entry_point": "garage",
                "entry_method": "forced",
            },
        },
    ),
    (
        "1234",
        100,
        3.0,
        "completed",
        {
            "reference": {"crime_reference": "22/41120/26"},
            "address": {
                "line1": "27 St Nicholas Street",
                "town": "Droitwich",
                "postcode": "WR9 8DH",
            },
            "place": {"property_type": "semi", "occupied": "yes"},
            "victim": {
                "name": "Edith Marsh",
                "phone": "01905 000 303",
                "vulnerabilities": ["elderly", "bogus_caller_target"],
                "victims_code_given": True,
            },
            "offence": {
                "type": "distraction",
                "entry_point": "front_door",
                "entry_method": "deception",
            },
            "advice": {"items": [{"id": "bogus-callers", "version": 1}], "leaflet_given": True},
        },
    ),
]


# Reports from the "crime system": (crime reference, hours ago, team, line1, town, postcode,
# victim). Two match visits above (so they arrive linked: one visited, one in progress), one
# waits unassigned, one is overdue against the default 24 h target.
_REPORTS: list[tuple[str, int, str, str, str, str, str]] = [
    (
        "22/41871/26",
        30,
        "Worcester Response A",
        "14 Lansdowne Crescent",
        "Worcester",
        "WR3 8JE",
        "Margaret Ellis",
    ),
    (
        "22/42010/26",
        6,
        "Worcester Response A",
        "3 London Road",
        "Worcester",
        "WR5 2DL",
        "Daniel Okafor",
    ),
    (
        "22/42101/26",
        2,
        "Worcester Response A",
        "8 Tolladine Road",
        "Worcester",
        "WR4 9AB",
        "Grace Adeyemi",
    ),
    (
        "22/42102/26",
        30,
        "Malvern Neighbourhood",
        "11 Graham Road",
        "Malvern",
        "WR14 2HY",
        "Arthur Bell",
    ),
]


async def _seed_reports(settings: Settings, now: datetime, ctx: RequestContext) -> int:
    """The demo's reported burglaries, through the real intake (idempotent on the reference)."""
    from server.reports.intake import IntakeRow, intake

    rows = [
        IntakeRow(
            n,
            {
                "reference": {
                    "crime_reference": ref,
                    "reported_at": (now - timedelta(hours=hours)).isoformat(),
                },
                "offence": {"type": "dwelling"},
                "address": {"line1": line1, "town": town, "postcode": postcode},
                "victim": {"name": victim, "phone": "07700 900000"},
                "team": team,
            },
        )
        for n, (ref, hours, team, line1, town, postcode, victim) in enumerate(_REPORTS)
    ]
    result = await intake(rows, ctx=ctx, author="demo", reason="demo")
    return result.created


async def seed_demo(settings: Settings, clock: Clock) -> dict[str, int]:
    """Load the demo (idempotent: what exists already is left alone)."""
    counts = {"officers": 0, "advice_items": 0, "visits": 0, "reports": 0}
    for spec in DEMO_OFFICERS:
        if not await Officer.filter(collar_number=spec["collar_number"]).exists():
            await create_officer(area_name=AREA, **spec)
            counts["officers"] += 1
    counts["advice_items"] = await load_default_catalogue(clock.now())
    now = clock.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    context = {"crime_reference_pattern": settings.crime_reference_pattern}
    for collar, hours_ago, to_arrival, status, sections in _VISITS:
        visit_id = uuid.uuid5(
            uuid.NAMESPACE_URL, f"doorstep-demo:{sections['reference']['crime_reference']}"
        )
        if await Visit.exists(id=visit_id):
            continue
        reported = now - timedelta(hours=hours_ago)
        arrived = reported + timedelta(hours=to_arrival)
        data = {
            **sections,
            "status": status,
            "reference": {**sections["reference"], "reported_at": reported.isoformat()},
            "attendance": {
                "arrived_at": arrived.isoformat(),
                "left_at": (arrived + timedelta(minutes=50)).isoformat()
                if status == "completed"
                else None,
            },
            "offence": {
                **sections["offence"],
                "last_secure_at": (reported - timedelta(hours=10)).isoformat(),
                "discovered_at": (reported - timedelta(minutes=20)).isoformat(),
            },
        }
        record = VisitRecord.model_validate(data, context=context)
        officer = await Officer.get(collar_number=collar)
        ctx = RequestContext.system(settings, clock.now())
        completed_at = arrived + timedelta(minutes=50) if status == "completed" else None
        await create_visit(officer, record, ctx=ctx, visit_id=visit_id, completed_at=completed_at)
        counts["visits"] += 1
    counts["reports"] = await _seed_reports(settings, now, RequestContext.system(settings, now))
    return counts
