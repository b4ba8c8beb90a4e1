"""Storing visits: every section's columns, revisions and change versions, on both backends."""

from __future__ import annotations

import uuid

import pytest
from tortoise.exceptions import IntegrityError

from server.feed.models import Revision
from server.org.models import Officer, Role
from server.org.service import create_officer
from server.visits.models import Visit
from server.visits.schemas import VisitRecord, leaf_paths
from server.visits.service import column_for, create_visit, visit_document
from tests.support.context import SystemContext

FULL_RECORD = {
    "status": "draft",
    "reference": {
        "crime_reference": "22/41871/26",
        "incident_number": "0412",
        "reported_at": "2026-11-22T21:10:00+00:00",
        "officer_in_charge": "DC Lee Hart",
    },
    "attendance": {"arrived_at": "2026-11-22T23:40:00+00:00", "left_at": None},
    "address": {
        "line1": "14 Lansdowne Crescent",
        "line2": None,
        "town": "Worcester",
        "postcode": "WR3 8JE",
    },
    "location": {"latitude": 52.2, "longitude": -2.2, "accuracy_m": 12.0},
    "place": {"property_type": "semi", "occupied": "no"},
    "victim": {
        "name": "Margaret Ellis",
        "phone": "07700 900123",
        "email": None,
        "preferred_contact": "phone",
        "vulnerabilities": ["elderly", "lives_alone"],
        "vulnerability_note": None,
        "interpreter_needed": False,
        "interpreter_language": None,
        "victims_code_given": True,
        "referral_consent": True,
        "referral_made": True,
    },
    "offence": {
        "type": "dwelling",
        "last_secure_at": "2026-11-22T08:00:00+00:00",
        "discovered_at": "2026-11-22T21:00:00+00:00",
        "entry_point": "rear_door",
        "entry_point_note": None,
        "entry_method": "forced",
        "rooms_entered": ["kitchen"],
        "offender_seen": None,
        "suspects_named": None,
    },
    "loss": {
        "damage": "Rear door frame split",
        "not_taken": None,
        "vehicle_registration": "AB12 CDE",
    },
    "enquiry": {
        "forensic_opportunities": ["footwear"],
        "csi_requested": True,
        "csi_reference": "CSI-001",
        "scene_preservation_advised": True,
        "digital_evidence": [
            {"kind": "doorbell", "location": "No. 16", "holder": "owner", "note": None}
        ],
        "routes": None,
        "house_to_house": [
            {
                "address": "16 Lansdowne Crescent",
                "result": "information",
                "advice_left": False,
                "kit_left": True,
                "note": None,
            }
        ],
        "witnesses": [{"name": "R. Singh", "contact": "via No. 16", "account": None}],
    },
    "advice": {
        "items": [{"id": "wide-double-locks", "version": 1}],
        "extra": None,
        "leaflet_given": True,
        "survey_requested": False,
    },
}


@pytest.fixture
async def officer(db: str) -> Officer:
    """A response officer in a Worcester team."""
    return await create_officer(
        collar_number="1234",
        display_name="PC Sam Patel",
        role=Role.OFFICER,
        team_name="Worcester Response A",
        area_name="South Worcestershire",
    )


def test_visit_model_has_a_column_for_every_schema_path() -> None:
    columns = set(Visit._meta.fields_db_projection.values())
    missing = [p for p in leaf_paths(VisitRecord) if column_for(p) not in columns]
    assert missing == []


async def test_create_visit_round_trips_every_section(
    officer: Officer, system_ctx: SystemContext
) -> None:
    record = VisitRecord.model_validate(FULL_RECORD)
    visit = await create_visit(officer, record, ctx=system_ctx())
    stored = await Visit.get(id=visit.id)
    document = visit_document(stored)
    # Datetimes come back in UTC ISO form; compare through the schema to normalise.
    assert VisitRecord.model_validate(document) == record
    assert document["victim"]["vulnerabilities"] == ["elderly", "lives_alone"]
    assert document["enquiry"]["house_to_house"][0]["kit_left"] is True
    assert stored.team_id == officer.team_id  # type: ignore[attr-defined]
    assert stored.rev == 1
    assert stored.field_revs["victim.name"] == 1


async def test_create_visit_records_first_revision_and_takes_versions_in_order(
    officer: Officer, system_ctx: SystemContext
) -> None:
    first = await create_visit(
        officer, VisitRecord.model_validate({"victim": {"name": "A B"}}), ctx=system_ctx()
    )
    second = await create_visit(officer, VisitRecord(), ctx=system_ctx())
    assert second.version > first.version  # a later transaction, a later version
    revision = await Revision.get(record_id=first.id)
    assert revision.rev == 1
    assert revision.changes["victim.name"] == "A B"
    assert revision.actor_id == officer.id  # type: ignore[attr-defined]


async def test_create_visit_same_id_twice_is_refused(
    officer: Officer, system_ctx: SystemContext
) -> None:
    visit_id = uuid.uuid4()
    await create_visit(officer, VisitRecord(), ctx=system_ctx(), visit_id=visit_id)
    with pytest.raises(IntegrityError):
        await create_visit(officer, VisitRecord(), ctx=system_ctx(), visit_id=visit_id)
    assert await Visit.filter(id=visit_id).count() == 1
