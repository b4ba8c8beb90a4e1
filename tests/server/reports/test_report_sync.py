"""Reports reach the assigned officer's phone by sync, and leave it when reassigned or closed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from harness.phone import Phone
from server.feed.models import ScopeExit
from tests.server.reports.rows import report_row, take_in, team_a
from tests.support.context import SystemContext
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


def _reports(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in changes if c["collection"] == "reports"}


async def test_assigned_officer_pulls_it_and_a_reassignment_tombstones_it(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant, [first, second] = await team_a(enrolled, 2)
    [report_id] = await take_in(system_ctx(), report_row(team="Team A"))
    phone_1, phone_2 = Phone(first.client), Phone(second.client)
    assert _reports(await phone_1.pull_all()) == {}  # not assigned yet: on nobody's phone

    assigned = await sergeant.client.post(
        f"/api/reports/{report_id}/assign", json={"officer_id": str(first.officer.id)}
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assigned_officer"]["id"] == str(first.officer.id)
    change = _reports(await phone_1.pull_all())[report_id]
    record = change["record"]
    assert record["reference.crime_reference"] == "22/41871/26"
    assert record["address.postcode"] == "WR3 8JE"
    assert record["victim.name"] == "Ann Smith"
    assert record["state"] == "awaiting"
    assert record["assigned.officer_id"] == str(first.officer.id)
    assert record["link.visit_id"] is None
    assert _reports(await phone_2.pull_all()) == {}

    again = await sergeant.client.post(
        f"/api/reports/{report_id}/assign", json={"officer_id": str(first.officer.id)}
    )
    assert again.json()["rev"] == assigned.json()["rev"]  # the same assignment changes nothing
    moved = await sergeant.client.post(
        f"/api/reports/{report_id}/assign", json={"officer_id": str(second.officer.id)}
    )
    assert moved.status_code == 200, moved.text
    gone = _reports(await phone_1.pull_all())[report_id]
    assert (gone["deleted"], gone["reason"]) == (True, "out_of_scope")
    assert _reports(await phone_2.pull_all())[report_id]["deleted"] is False
    assert await ScopeExit.filter(collection="reports").count() == 1


async def test_a_team_assignment_reaches_every_officer_of_the_team_only(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant, [one, two] = await team_a(enrolled, 2)
    other = await enrolled(team="Team B", area="Area X")
    [report_id] = await take_in(system_ctx(), report_row(team="Team A"))
    team_id = sergeant.officer.team_id  # type: ignore[attr-defined]
    response = await sergeant.client.post(
        f"/api/reports/{report_id}/assign", json={"team_id": team_id}
    )
    assert response.status_code == 200, response.text
    assert response.json()["held_by_team"] is True
    for person in (one, two):
        assert report_id in _reports(await Phone(person.client).pull_all())
    assert _reports(await Phone(other.client).pull_all()) == {}


async def test_closing_needs_a_reason_and_tombstones_the_holder(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant, [officer] = await team_a(enrolled)
    [report_id] = await take_in(system_ctx(), report_row(team="Team A"))
    url = f"/api/reports/{report_id}"
    await sergeant.client.post(f"{url}/assign", json={"officer_id": str(officer.officer.id)})
    phone = Phone(officer.client)
    await phone.pull_all()
    no_reason = await sergeant.client.post(f"{url}/close", json={"note": "gone"})
    assert no_reason.status_code == 422
    closed = await sergeant.client.post(
        f"{url}/close", json={"reason": "victim_declined", "note": "Declined by phone"}
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["state"] == "closed"
    assert body["closure"]["reason"] == "victim_declined"
    assert body["overdue"] is False
    assert _reports(await phone.pull_all())[report_id]["reason"] == "out_of_scope"
    for path, payload in (("close", {"reason": "duplicate"}), ("assign", {"team_id": 1})):
        refused = await sergeant.client.post(f"{url}/{path}", json=payload)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "not_awaiting"
    detail = (await sergeant.client.get(url)).json()
    assert [r["op"] for r in detail["revisions"]] == ["intake", "assign", "close"]


async def test_a_supervisor_acts_only_within_their_scope(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    elsewhere = await enrolled(team="Team C", area="Area Y")
    mine, theirs = await take_in(
        system_ctx(), report_row("22/1/26", team="Team A"), report_row("22/2/26", team="Team C")
    )
    for path in (f"/api/reports/{theirs}/assign", f"/api/reports/{theirs}/close"):
        response = await sergeant.client.post(path, json={"team_id": 1, "reason": "duplicate"})
        assert response.status_code in (404, 422), response.text
    assert (await sergeant.client.get(f"/api/reports/{theirs}")).status_code == 404
    assert (await sergeant.client.get(f"/api/reports/{uuid.uuid4()}")).status_code == 404
    outside = await sergeant.client.post(
        f"/api/reports/{mine}/assign", json={"officer_id": str(elsewhere.officer.id)}
    )
    assert outside.status_code == 422
    assert outside.json()["error"]["details"]["fields"][0]["field"] == "officer_id"
    both = await sergeant.client.post(
        f"/api/reports/{mine}/assign", json={"officer_id": str(elsewhere.officer.id), "team_id": 1}
    )
    assert both.status_code == 422


async def test_a_push_to_reports_is_rejected_read_only(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant, [officer] = await team_a(enrolled)
    [report_id] = await take_in(system_ctx(), report_row(team="Team A"))
    await sergeant.client.post(
        f"/api/reports/{report_id}/assign", json={"officer_id": str(officer.officer.id)}
    )
    phone = Phone(officer.client)
    response = await phone.push(
        phone.mutation("reports", report_id, {"victim.name": "Someone Else"}, base_rev=2)
    )
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["status"], result["error"]["code"]) == ("rejected", "read_only")


async def test_the_assign_picker_lists_who_the_supervisor_may_assign_to(
    enrolled: Enrolled,
) -> None:
    sergeant, [officer] = await team_a(enrolled)
    area = await enrolled(role="supervisor", team="Team B", area="Area X", scope="area")
    await enrolled(team="Team C", area="Area Y")
    await enrolled(role="supervisor", team="Team A", area="Area X")  # not an assignee
    mine = (await sergeant.client.get("/api/reports/assignees")).json()
    assert [t["name"] for t in mine["teams"]] == ["Team A"]
    assert [o["id"] for o in mine["officers"]] == [str(officer.officer.id)]
    wide = (await area.client.get("/api/reports/assignees")).json()
    assert [t["name"] for t in wide["teams"]] == ["Team A", "Team B"]
    assert [o["id"] for o in wide["officers"]] == [str(officer.officer.id)]
