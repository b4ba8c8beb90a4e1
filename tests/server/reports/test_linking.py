"""Linking a visit to its report: "Start visit", a blank visit meeting its report, drafts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from harness.phone import Phone, new_id
from server.reports.models import Report
from server.visits.models import Visit
from tests.server.reports.rows import report_row, take_in, team_a
from tests.support.context import SystemContext
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
PREFILL = (
    "reference.crime_reference",
    "reference.incident_number",
    "reference.reported_at",
    "offence.type",
    "address.line1",
    "address.town",
    "address.postcode",
    "victim.name",
    "victim.phone",
    "victim.vulnerabilities",
)
COMPLETE = {
    "attendance.arrived_at": "2026-11-23T08:30:00Z",
    "victim.victims_code_given": True,
    "status": "completed",
}


async def _assigned(
    enrolled: Enrolled, system_ctx: SystemContext, **assign: Any
) -> tuple[Person, Person, str]:
    sergeant, [officer] = await team_a(enrolled)
    [report_id] = await take_in(system_ctx(), report_row(team="Team A"))
    body = assign or {"officer_id": str(officer.officer.id)}
    response = await sergeant.client.post(f"/api/reports/{report_id}/assign", json=body)
    assert response.status_code == 200, response.text
    return sergeant, officer, report_id


def _report(changes: list[dict[str, Any]], report_id: str) -> dict[str, Any]:
    return [c for c in changes if c["collection"] == "reports" and c["id"] == report_id][-1]


async def _push(phone: Phone, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    response = await phone.push(*mutations)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


async def test_start_visit_from_a_report_then_complete_it(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant, officer, report_id = await _assigned(enrolled, system_ctx)
    phone = Phone(officer.client)
    record = _report(await phone.pull_all(), report_id)["record"]
    visit_id = new_id()
    prefill = {path: record[path] for path in PREFILL} | {"reference.report_id": report_id}
    [started] = await _push(phone, phone.mutation("visits", visit_id, prefill))
    assert started["status"] == "applied", started
    report = await Report.get(id=report_id)
    assert report.state.value == "in_progress"
    assert str(report.linked_visit_id) == visit_id  # type: ignore[attr-defined]
    assert _report(await phone.pull_all(), report_id)["record"]["link.visit_id"] == visit_id
    queue = (await sergeant.client.get("/api/reports", params={"state": "open"})).json()
    assert queue["reports"][0]["visit"]["status"] == "draft"

    [done] = await _push(phone, phone.mutation("visits", visit_id, COMPLETE, base_rev=1))
    assert done["status"] == "applied", done
    assert (await Report.get(id=report_id)).state.value == "visited"
    gone = _report(await phone.pull_all(), report_id)
    assert (gone["deleted"], gone["reason"]) == (True, "out_of_scope")
    detail = (await sergeant.client.get(f"/api/reports/{report_id}")).json()
    assert detail["visit"]["arrival_seconds"] == 13 * 3600 + 50 * 60  # from 18:40 the day before


async def test_a_team_report_started_by_one_officer_leaves_the_others_phones(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant, [one, two] = await team_a(enrolled, 2)
    [report_id] = await take_in(system_ctx(), report_row(team="Team A"))
    team_id = sergeant.officer.team_id  # type: ignore[attr-defined]
    await sergeant.client.post(f"/api/reports/{report_id}/assign", json={"team_id": team_id})
    phone_one, phone_two = Phone(one.client), Phone(two.client)
    await phone_one.pull_all()
    await phone_two.pull_all()
    [started] = await _push(
        phone_one, phone_one.mutation("visits", new_id(), {"reference.report_id": report_id})
    )
    assert started["status"] == "applied", started
    report = await Report.get(id=report_id)
    assert report.holder_officer_id == one.officer.id
    assert report.holder_team_id is None
    assert _report(await phone_two.pull_all(), report_id)["reason"] == "out_of_scope"
    assert _report(await phone_one.pull_all(), report_id)["record"]["state"] == "in_progress"


async def test_a_link_the_officer_may_not_make_is_rejected_with_a_clear_code(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant, officer, report_id = await _assigned(enrolled, system_ctx)
    other = await enrolled(team="Team A", area="Area X")
    [unassigned, closed] = await take_in(
        system_ctx(), report_row("22/9/26", team="Team A"), report_row("22/8/26", team="Team A")
    )
    await sergeant.client.post(f"/api/reports/{closed}/close", json={"reason": "duplicate"})
    phone, theirs = Phone(officer.client), Phone(other.client)

    def link(p: Phone, target: str, visit: str | None = None) -> dict[str, Any]:
        return p.mutation("visits", visit or new_id(), {"reference.report_id": target})

    results = await _push(phone, link(phone, new_id()), link(phone, unassigned))
    assert [r["error"]["code"] for r in results] == ["not_found", "not_found"]
    assert results[0]["error"]["details"]["field"] == "reference.report_id"
    [refused] = await _push(theirs, link(theirs, report_id))
    assert refused["error"]["code"] == "not_found"  # someone else's report

    visit_id = new_id()
    [ok] = await _push(phone, link(phone, report_id, visit_id))
    assert ok["status"] == "applied"
    [second] = await _push(phone, link(phone, report_id))
    assert second["error"]["code"] == "report_linked"
    [moved] = await _push(
        phone, phone.mutation("visits", visit_id, {"reference.report_id": unassigned}, base_rev=1)
    )
    assert moved["error"]["code"] == "immutable_field"
    # A closed report is no longer on anyone's phone, so it is not found either.
    [gone] = await _push(phone, link(phone, closed))
    assert gone["error"]["code"] == "not_found"


async def test_a_visit_started_blank_is_linked_when_its_report_arrives(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    phone = Phone(officer.client)
    draft, done = new_id(), new_id()
    await _push(
        phone,
        phone.mutation("visits", draft, {"reference.crime_reference": "22/100/26"}),
        phone.mutation(
            "visits",
            done,
            {
                "reference.crime_reference": "22/200/26",
                "reference.reported_at": "2026-11-22T18:40:00Z",
                "address.line1": "1 Elm Road",
                "address.postcode": "WR3 8JE",
                "victim.name": "Bea Hall",
                "offence.type": "dwelling",
                **COMPLETE,
            },
        ),
    )
    ids = await take_in(
        system_ctx(), report_row("22/100/26", team="Team A"), report_row("22/200/26", team="Team A")
    )
    first, second = [await Report.get(id=i) for i in ids]
    assert (first.state.value, str(first.linked_visit_id)) == ("in_progress", draft)  # type: ignore[attr-defined]
    assert first.officer_id == officer.officer.id  # type: ignore[attr-defined]
    assert first.holder_officer_id == officer.officer.id
    assert (second.state.value, second.holder_officer_id) == ("visited", None)
    assert _report(await phone.pull_all(), ids[0])["record"]["link.visit_id"] == draft


async def test_a_crime_reference_typed_after_the_report_arrived_links_them(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    [report_id] = await take_in(system_ctx(), report_row("22/300/26", team="Team A"))
    phone = Phone(officer.client)
    visit_id = new_id()
    await _push(phone, phone.mutation("visits", visit_id, {"victim.name": "Ann"}))
    await _push(
        phone,
        phone.mutation("visits", visit_id, {"reference.crime_reference": "22/300/26"}, base_rev=1),
    )
    report = await Report.get(id=report_id)
    assert str(report.linked_visit_id) == visit_id  # type: ignore[attr-defined]
    assert report.state.value == "in_progress"


async def test_deleting_a_draft_puts_its_report_back_in_the_queue(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    _, officer, report_id = await _assigned(enrolled, system_ctx)
    phone = Phone(officer.client)
    visit_id = new_id()
    await _push(phone, phone.mutation("visits", visit_id, {"reference.report_id": report_id}))
    [deleted] = await _push(phone, phone.mutation("visits", visit_id, op="delete", base_rev=1))
    assert deleted["status"] == "applied", deleted
    report = await Report.get(id=report_id)
    assert (report.state.value, report.linked_visit_id) == ("awaiting", None)  # type: ignore[attr-defined]
    assert report.holder_officer_id == officer.officer.id  # still theirs to visit


async def test_repeat_victimisation_is_computed_from_earlier_burglaries_at_the_address(
    enrolled: Enrolled, system_ctx: SystemContext, client: httpx.AsyncClient
) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    await take_in(
        system_ctx(),
        report_row(
            "22/400/26",
            team="Team A",
            **{
                "reference.reported_at": "2026-03-01T10:00:00Z",
                "address.line1": "14 Lansdowne Cres.",
            },
        ),
        report_row("22/401/26", team="Team A", **{"address.line1": "15 Lansdowne Crescent"}),
        report_row("22/402/26", team="Team A"),
    )
    flags = {r.reference_crime_reference: r.repeat_computed for r in await Report.all()}
    assert flags == {"22/400/26": False, "22/401/26": False, "22/402/26": True}
    phone = Phone(officer.client)
    visit_id = new_id()
    await _push(
        phone,
        phone.mutation(
            "visits",
            visit_id,
            {"address.line1": "14 lansdowne crescent", "address.postcode": "WR38JE"},
        ),
    )
    assert (await Visit.get(id=visit_id)).repeat_computed is True
    changes = await phone.pull_all()
    visit = [c for c in changes if c["id"] == visit_id][-1]
    assert visit["record"]["meta.repeat_victim"] is True


async def test_a_visit_reported_in_year_one_still_gets_its_repeat_flag(
    enrolled: Enrolled,
) -> None:
    """Twelve months before 0001-01-01 does not exist: the window starts at the earliest time."""
    officer = await enrolled(team="Team A", area="Area X")
    phone = Phone(officer.client)
    fields = {
        "reference.reported_at": "0001-01-01T00:00:00Z",
        "address.line1": "1 Elm Road",
        "address.postcode": "WR3 8JE",
    }
    [result] = await _push(phone, phone.mutation("visits", new_id(), fields))
    assert result["status"] == "applied", result


async def test_a_visit_stored_before_line_keys_still_makes_a_later_one_a_repeat(
    enrolled: Enrolled, client: httpx.AsyncClient
) -> None:
    # A row from before the stored line key (or written by anything but the feed) has none:
    # the check still compares its first line.
    officer = await enrolled(team="Team A", area="Area X")
    phone = Phone(officer.client)
    earlier, later = new_id(), new_id()
    address = {
        "address.line1": "14 Lansdowne Cres.",
        "address.postcode": "WR38JE",
        "reference.reported_at": "2026-03-01T10:00:00Z",
    }
    await _push(phone, phone.mutation("visits", earlier, address))
    assert (await Visit.get(id=earlier)).address_line_key == "14 lansdowne crescent"
    await Visit.filter(id=earlier).update(address_line_key=None)
    await _push(
        phone,
        phone.mutation(
            "visits",
            later,
            {
                **address,
                "address.line1": "14 lansdowne crescent",
                "reference.reported_at": "2026-03-02T10:00:00Z",
            },
        ),
    )
    assert (await Visit.get(id=later)).repeat_computed is True
