"""The administrator's workspace over the API: accounts, teams and areas, every change audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from harness.phone import Phone, new_id
from server.audit.models import AuditEvent
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def _audit(record_id: object) -> list[AuditEvent]:
    return await AuditEvent.filter(record_id=str(record_id)).order_by("id")


async def test_create_get_and_edit_an_account(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    created = await admin.post(
        "/api/admin/officers",
        json={
            "collar_number": "4321",
            "display_name": "PC Jo Bloggs",
            "role": "officer",
            "team": "Worcester Response A",
            "area": "South Worcestershire",
        },
    )
    assert created.status_code == 201, created.text
    officer = created.json()
    assert officer["team_name"] == "Worcester Response A"
    assert officer["area_name"] == "South Worcestershire"

    edited = await admin.patch(
        f"/api/admin/officers/{officer['id']}",
        json={
            "display_name": "PC Jo Bloggs-Smith",
            "contact_phone": "01905 123456",
            "contact_email": "jo.bloggs@police.example",
        },
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["contact_phone"] == "01905 123456"
    fetched = (await admin.get(f"/api/admin/officers/{officer['id']}")).json()
    assert fetched["display_name"] == "PC Jo Bloggs-Smith"
    assert fetched["contact_email"] == "jo.bloggs@police.example"

    cleared = await admin.patch(f"/api/admin/officers/{officer['id']}", json={"contact_phone": ""})
    assert cleared.json()["contact_phone"] == ""
    bad = await admin.patch(f"/api/admin/officers/{officer['id']}", json={"contact_email": "jo"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["fields"][0]["field"].startswith("contact_email")
    empty = await admin.patch(f"/api/admin/officers/{officer['id']}", json={})
    assert empty.status_code == 422

    rows = await _audit(officer["id"])
    assert [r.action.value for r in rows] == ["collect", "alter", "alter"]
    assert rows[1].reason == "edited contact_email, contact_phone, display_name"
    assert "Bloggs" not in " ".join(r.reason for r in rows)


async def test_the_leave_behind_contact_details_reach_the_officers_profile(
    enrolled: Enrolled,
) -> None:
    admin = (await enrolled(role="admin")).client
    officer = await enrolled()
    await admin.patch(
        f"/api/admin/officers/{officer.officer.id}",
        json={"contact_phone": "+44 1905 000000", "contact_email": "pc@police.example"},
    )
    me = (await officer.client.get("/api/me")).json()["officer"]
    assert (me["contact_phone"], me["contact_email"]) == ("+44 1905 000000", "pc@police.example")


async def test_an_administrator_cannot_change_their_own_role_or_deactivate_themselves(
    enrolled: Enrolled,
) -> None:
    admin = await enrolled(role="admin")
    own = await admin.client.patch(
        f"/api/admin/officers/{admin.officer.id}", json={"role": "officer"}
    )
    assert own.status_code == 409
    assert own.json()["error"]["code"] == "own_role"
    itself = await admin.client.post(
        f"/api/admin/officers/{admin.officer.id}/deactivate", json={"reason": "leaving"}
    )
    assert itself.json()["error"]["code"] == "own_account"

    other = await enrolled(role="admin")
    demoted = await admin.client.patch(
        f"/api/admin/officers/{other.officer.id}", json={"role": "auditor"}
    )
    assert demoted.status_code == 200
    assert (await other.client.get("/api/admin/officers")).status_code == 403  # at once


async def test_moving_an_officer_keeps_their_visits_and_resyncs_their_phone(
    enrolled: Enrolled,
) -> None:
    admin = (await enrolled(role="admin")).client
    officer = await enrolled(team="Team A", area="Area X")
    phone = Phone(officer.client)
    visit_id = new_id()
    await phone.push(phone.mutation("visits", visit_id, {"victim.name": "Ann Smith"}))
    await phone.pull_all()
    teams = (await admin.get("/api/admin/teams")).json()["teams"]
    created = await admin.post("/api/admin/teams", json={"name": "Team B", "area": "Area Y"})
    assert created.status_code == 201
    assert len(teams) + 1 == len((await admin.get("/api/admin/teams")).json()["teams"])

    moved = await admin.post(
        f"/api/admin/officers/{officer.officer.id}/move",
        json={"team_id": created.json()["id"], "reason": "posting"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["team_name"] == "Team B"
    assert moved.json()["area_name"] == "Area Y"

    response = await officer.client.post(
        "/api/sync/pull", json={"client_id": phone.client_id, "cursor": phone.cursor}
    )
    body = response.json()
    assert body["reset"] is True
    assert visit_id in {c["id"] for c in body["changes"]}  # still theirs
    rows = await _audit(officer.officer.id)
    assert rows[-1].reason.startswith("moved from team ")

    missing = await admin.post(
        f"/api/admin/officers/{officer.officer.id}/move", json={"team_id": 999_999}
    )
    assert missing.status_code == 404


async def test_deactivation_mid_sync_ends_sessions_stops_sync_and_keeps_records(
    enrolled: Enrolled,
) -> None:
    admin = (await enrolled(role="admin")).client
    supervisor = (await enrolled(role="supervisor")).client
    officer = await enrolled()
    phone = Phone(officer.client)
    first, second = new_id(), new_id()
    accepted = await phone.push(phone.mutation("visits", first, {"victim.name": "Ann Smith"}))
    assert accepted.json()["results"][0]["status"] == "applied"

    off = await admin.post(
        f"/api/admin/officers/{officer.officer.id}/deactivate", json={"reason": "left the force"}
    )
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False

    # The queue's next batch, and the next pull, are refused: the phone keeps its work.
    refused = await phone.push(phone.mutation("visits", second, {"victim.name": "Bo Brown"}))
    assert refused.status_code == 401
    pulled = await officer.client.post(
        "/api/sync/pull", json={"client_id": phone.client_id, "cursor": None}
    )
    assert pulled.status_code == 401
    assert (await officer.client.get("/api/me")).status_code == 401
    # What was accepted before stays, for the supervisor and on the server.
    listed = (await supervisor.get("/api/visits")).json()["visits"]
    assert [v["id"] for v in listed] == [first]
    code = await admin.post(f"/api/admin/officers/{officer.officer.id}/enrolment-codes", json={})
    assert code.status_code == 404  # no enrolment for an inactive account

    on = await admin.post(
        f"/api/admin/officers/{officer.officer.id}/reactivate", json={"reason": "returned"}
    )
    assert on.json()["active"] is True
    code = await admin.post(f"/api/admin/officers/{officer.officer.id}/enrolment-codes", json={})
    assert code.status_code == 201
    reasons = [r.reason for r in await _audit(officer.officer.id)]
    assert reasons[-2:] == [
        "deactivated (1 sessions ended): left the force",
        "reactivated: returned",
    ]


async def test_teams_and_areas_are_created_renamed_and_listed(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    area = await admin.post("/api/admin/areas", json={"name": "North Worcestershire"})
    assert area.status_code == 201
    again = await admin.post("/api/admin/areas", json={"name": "north worcestershire"})
    assert again.status_code == 409
    renamed = await admin.patch(
        f"/api/admin/areas/{area.json()['id']}", json={"name": "Wyre Forest"}
    )
    assert renamed.json()["name"] == "Wyre Forest"
    assert "Wyre Forest" in {
        a["name"] for a in (await admin.get("/api/admin/areas")).json()["areas"]
    }

    team = await admin.post(
        "/api/admin/teams", json={"name": "Kidderminster A", "area": "Wyre Forest"}
    )
    assert team.status_code == 201
    assert team.json()["area_id"] == area.json()["id"]
    other = await admin.post(
        "/api/admin/teams", json={"name": "Kidderminster B", "area": "Wyre Forest"}
    )
    taken = await admin.patch(
        f"/api/admin/teams/{other.json()['id']}", json={"name": "Kidderminster A"}
    )
    assert taken.status_code == 409
    renamed_team = await admin.patch(
        f"/api/admin/teams/{team.json()['id']}", json={"name": "Kidderminster Response"}
    )
    assert renamed_team.json()["name"] == "Kidderminster Response"
    assert (
        await admin.patch("/api/admin/teams/99999999999", json={"name": "X"})
    ).status_code == 404
    assert [r.action.value for r in await _audit(team.json()["id"])][-1] == "alter"


async def test_officer_list_filters(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    await enrolled(role="supervisor", team="Team Q", area="Area Q")
    supervisors = (await admin.get("/api/admin/officers", params={"role": "supervisor"})).json()
    assert {o["role"] for o in supervisors["officers"]} == {"supervisor"}
    team_id = supervisors["officers"][0]["team_id"]
    in_team = (await admin.get("/api/admin/officers", params={"team_id": team_id})).json()
    assert {o["team_name"] for o in in_team["officers"]} == {"Team Q"}
    inactive = (await admin.get("/api/admin/officers", params={"active": "false"})).json()
    assert inactive["officers"] == []


IMPORT = (
    "\ufeffcollar_number,display_name,role,team,area,contact_email\n"
    "5001,PC Ada Lovelace,officer,Team A,Area X,ada@police.example\n"
    "5002,PC Bad Mail,officer,Team A,Area X,not-an-address\n"
    "5003,,officer,Team A,Area X,\n"
    "5001,PC Twice,officer,Team A,Area X,\n"
    "\n"
    "5004,PS Grace Hopper,supervisor,Team New,Area X,\n"
    "5005,PC Wrong Area,officer,Team A,Area Z,\n"
    "5006,PC Odd,constable,Team A,Area X,\n"
)


async def test_bulk_import_reports_each_bad_row_and_keeps_the_good_ones(
    enrolled: Enrolled,
) -> None:
    admin = (await enrolled(role="admin", team="Team A", area="Area X")).client
    dry = await admin.post("/api/admin/officers/import", json={"csv": IMPORT, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["created"] == 0
    assert [r["status"] for r in dry.json()["rows"]] == [
        "valid",
        "failed",
        "failed",
        "failed",
        "valid",
        "failed",
        "failed",
    ]
    assert dry.json()["teams_created"] == ["Team New"]
    assert (await admin.get("/api/admin/officers", params={"role": "supervisor"})).json()[
        "officers"
    ] == []

    done = (await admin.post("/api/admin/officers/import", json={"csv": IMPORT})).json()
    assert (done["created"], done["failed"]) == (2, 5)
    by_row = {r["row"]: r for r in done["rows"]}
    assert by_row[2]["status"] == "created"
    assert by_row[2]["officer_id"]
    assert by_row[3]["errors"][0]["field"] == "contact_email"
    assert by_row[4]["errors"][0]["field"] == "display_name"
    assert by_row[5]["errors"] == [{"field": "collar_number", "message": "repeated in this file"}]
    assert by_row[7]["status"] == "created"  # the blank line 6 is skipped
    assert by_row[8]["errors"][0]["field"] == "area"
    assert by_row[9]["errors"][0]["field"] == "role"
    assert "not-an-address" not in dry.text + str(done)  # cells are never echoed
    again = (await admin.post("/api/admin/officers/import", json={"csv": IMPORT})).json()
    assert again["created"] == 0
    assert again["rows"][0]["errors"][0]["message"] == "already exists"
    collected = await AuditEvent.filter(reason="CSV import", record_type="officer").count()
    assert collected == 2
    # ... and the team the file created (test_places_audit.py).
    assert await AuditEvent.filter(reason="CSV import", record_type="team").count() == 1


async def test_bulk_import_refuses_a_file_whose_header_it_cannot_read(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    response = await admin.post("/api/admin/officers/import", json={"csv": "collar,name\n1,PC A\n"})
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["error"]["details"]["fields"]}
    assert {"csv.collar_number", "csv.collar", "csv.name"} <= fields


async def test_reassigning_a_visit_moves_it_between_phones_by_sync(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    old = await enrolled(team="Team A", area="Area X")
    new = await enrolled(team="Team B", area="Area Y")
    old_phone, new_phone = Phone(old.client), Phone(new.client)
    visit_id, item_id = new_id(), new_id()
    await old_phone.push(
        old_phone.mutation("visits", visit_id, {"victim.name": "Ann Smith"}),
        old_phone.mutation("property_items", item_id, {"visit_id": visit_id, "make_model": "TV"}),
    )
    await old_phone.pull_all()
    await new_phone.pull_all()

    moved = await admin.post(
        f"/api/admin/visits/{visit_id}/reassign",
        json={"officer_id": str(new.officer.id), "reason": "officer on leave"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["officer_id"] == str(new.officer.id)
    gone = {c["id"]: c for c in await old_phone.pull_all()}
    assert gone[visit_id]["reason"] == gone[item_id]["reason"] == "out_of_scope"
    arrived = {c["id"]: c for c in await new_phone.pull_all()}
    assert arrived[visit_id]["record"]["victim.name"] == "Ann Smith"
    assert arrived[item_id]["record"]["make_model"] == "TV"
    reasons = [r.reason for r in await _audit(visit_id)]
    assert f"reassigned to officer {new.officer.id}: officer on leave" in reasons

    supervisor = await enrolled(role="supervisor")
    refused = await admin.post(
        f"/api/admin/visits/{visit_id}/reassign",
        json={"officer_id": str(supervisor.officer.id), "reason": "wrong"},
    )
    assert refused.status_code == 409
    unknown = await admin.post(
        f"/api/admin/visits/{new_id()}/reassign",
        json={"officer_id": str(new.officer.id), "reason": "wrong"},
    )
    assert unknown.status_code == 404


async def test_bulk_import_refuses_text_that_is_not_csv(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    text = "collar_number,display_name,role,team\n1," + "x" * 200_000 + ",officer,T\n"
    response = await admin.post("/api/admin/officers/import", json={"csv": text})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "csv"
