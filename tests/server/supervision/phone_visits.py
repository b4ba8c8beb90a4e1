"""Visits made as officers make them, pushed from a phone: what supervision tests start from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from harness.phone import Phone, new_id
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def complete_fields(**overrides: Any) -> dict[str, Any]:
    """The fields a visit needs before it can be completed."""
    fields = {
        "reference.crime_reference": "22/41871/26",
        "reference.reported_at": "2026-11-23T07:00:00Z",
        "attendance.arrived_at": "2026-11-23T08:30:00Z",
        "address.line1": "14 Lansdowne Crescent",
        "address.postcode": "WR3 8JE",
        "victim.name": "Margaret Ellis",
        "victim.victims_code_given": True,
        "offence.type": "dwelling",
    }
    fields.update(overrides)
    return fields


async def completed_visit(officer: Person, **overrides: Any) -> tuple[Phone, str]:
    """An officer's phone creates and completes a visit; returns the phone and visit id."""
    phone = Phone(officer.client)
    visit_id = new_id()
    response = await phone.push(
        phone.mutation("visits", visit_id, {**complete_fields(**overrides), "status": "completed"})
    )
    assert response.json()["results"][0]["status"] == "applied", response.text
    return phone, visit_id
