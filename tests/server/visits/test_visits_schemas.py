"""Validation at the edge: postcodes, references, enumerations, sizes and time windows."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from server.errors import validation_problems
from server.validation import normalise_postcode
from server.visits.enums import VisitStatus
from server.visits.schemas import VisitRecord, leaf_paths, missing_for_completion


def fields_of(data: dict[str, Any], context: dict[str, Any] | None = None) -> list[str]:
    """The dotted fields a payload is refused for."""
    with pytest.raises(ValidationError) as excinfo:
        VisitRecord.model_validate(data, context=context)
    return [p["field"] for p in validation_problems(excinfo.value)]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("WR3 8JE", "WR3 8JE"),
        (" wr14  2ay ", "WR14 2AY"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
        ("BFPO 801", "BFPO 801"),
    ],
)
def test_normalise_postcode_accepts_uk_formats(raw: str, normalised: str) -> None:
    assert normalise_postcode(raw) == normalised


@pytest.mark.parametrize("raw", ["", "12345", "SW1A", "QW1 1AA", "W1A 1CA", "SW1A 1AAA", "ZZZ"])
def test_normalise_postcode_rejects_non_uk(raw: str) -> None:
    with pytest.raises(ValueError, match="UK postcode"):
        normalise_postcode(raw)


def test_validate_visit_bad_postcode_names_address_postcode() -> None:
    assert fields_of({"address": {"postcode": "NOT A CODE"}}) == ["address.postcode"]


def test_validate_visit_unknown_field_is_refused() -> None:
    assert fields_of({"victim": {"name": "A", "shoe_size": 9}}) == ["victim.shoe_size"]
    assert fields_of({"owner": "someone"}) == ["owner"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"place": {"property_type": "castle"}}, "place.property_type"),
        ({"place": {"occupied": "maybe"}}, "place.occupied"),
        ({"offence": {"type": "robbery"}}, "offence.type"),
        ({"offence": {"entry_point": "chimney"}}, "offence.entry_point"),
        ({"offence": {"entry_method": "magic"}}, "offence.entry_method"),
        ({"victim": {"vulnerabilities": ["young"]}}, "victim.vulnerabilities[0]"),
        ({"victim": {"preferred_contact": "pigeon"}}, "victim.preferred_contact"),
        ({"enquiry": {"forensic_opportunities": ["hair"]}}, "enquiry.forensic_opportunities[0]"),
        (
            {"enquiry": {"digital_evidence": [{"kind": "radar"}]}},
            "enquiry.digital_evidence[0].kind",
        ),
        ({"status": "archived"}, "status"),
    ],
)
def test_validate_visit_unknown_enumeration_value_is_refused(
    data: dict[str, Any], field: str
) -> None:
    assert fields_of(data) == [field]


def test_validate_visit_free_text_too_long_is_refused() -> None:
    assert fields_of({"victim": {"name": "x" * 121}}) == ["victim.name"]
    assert fields_of({"offence": {"offender_seen": "x" * 4001}}) == ["offence.offender_seen"]


def test_validate_visit_time_window_ending_before_start_is_refused() -> None:
    problems = fields_of(
        {
            "offence": {
                "last_secure_at": "2026-11-23T10:00:00Z",
                "discovered_at": "2026-11-23T09:00:00Z",
            }
        }
    )
    assert problems == ["offence"]
    assert fields_of(
        {"attendance": {"arrived_at": "2026-11-23T10:00:00Z", "left_at": "2026-11-23T09:59:00Z"}}
    ) == ["attendance"]


def test_validate_visit_naive_datetime_is_refused() -> None:
    assert fields_of({"reference": {"reported_at": "2026-11-23T10:00:00"}}) == [
        "reference.reported_at"
    ]


def test_validate_visit_crime_reference_follows_force_pattern() -> None:
    record = VisitRecord.model_validate({"reference": {"crime_reference": "22/41871/26"}})
    assert record.reference.crime_reference == "22/41871/26"
    west_mercia = {"crime_reference_pattern": r"WM-\d{6}"}
    assert fields_of({"reference": {"crime_reference": "22/41871/26"}}, west_mercia) == [
        "reference.crime_reference"
    ]
    ok = VisitRecord.model_validate(
        {"reference": {"crime_reference": "wm-123456"}}, context=west_mercia
    )
    assert ok.reference.crime_reference == "WM-123456"


def test_validate_visit_full_record_is_accepted() -> None:
    record = VisitRecord.model_validate(
        {
            "status": "draft",
            "reference": {
                "crime_reference": "22/41871/26",
                "incident_number": "0412",
                "reported_at": "2026-11-22T21:10:00+00:00",
                "officer_in_charge": "DC Lee Hart",
            },
            "attendance": {"arrived_at": "2026-11-22T23:40:00Z"},
            "address": {
                "line1": "14 Lansdowne Crescent",
                "town": "Worcester",
                "postcode": "wr38je",
            },
            "location": {"latitude": 52.2, "longitude": -2.2, "accuracy_m": 12},
            "place": {"property_type": "semi", "occupied": "no"},
            "victim": {
                "name": "Margaret Ellis",
                "phone": "07700 900123",
                "email": "m.ellis@example.org",
                "preferred_contact": "phone",
                "vulnerabilities": ["elderly", "lives_alone"],
                "interpreter_needed": False,
                "victims_code_given": True,
                "referral_consent": True,
                "referral_made": True,
            },
            "offence": {
                "type": "dwelling",
                "last_secure_at": "2026-11-22T08:00:00Z",
                "discovered_at": "2026-11-22T21:00:00Z",
                "entry_point": "rear_door",
                "entry_method": "forced",
                "rooms_entered": ["kitchen"],
            },
            "loss": {"damage": "Rear door frame split", "vehicle_registration": "ab12 cde"},
            "enquiry": {
                "forensic_opportunities": ["footwear"],
                "csi_requested": True,
                "digital_evidence": [{"kind": "doorbell", "location": "No. 16", "holder": "owner"}],
                "house_to_house": [
                    {"address": "16 Lansdowne Crescent", "result": "information", "kit_left": True}
                ],
                "witnesses": [{"name": "R. Singh", "contact": "via No. 16"}],
            },
            "advice": {"items": [{"id": "wide-double-locks", "version": 1}], "leaflet_given": True},
        }
    )
    assert record.address.postcode == "WR3 8JE"
    assert record.loss.vehicle_registration == "AB12 CDE"
    assert record.status is VisitStatus.DRAFT
    assert missing_for_completion(record) == []


def test_missing_for_completion_lists_required_paths() -> None:
    missing = missing_for_completion(VisitRecord())
    assert "address.postcode" in missing
    assert "victim.name" in missing
    assert "reference.crime_reference" in missing


def test_leaf_paths_are_the_dotted_paths_of_every_section() -> None:
    paths = leaf_paths(VisitRecord)
    assert {"status", "victim.name", "address.postcode", "advice.items"} <= set(paths)
    assert all(path.count(".") <= 1 for path in paths)
