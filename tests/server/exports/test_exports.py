"""Complete exports: every collection, names rather than ids, CSV cells escaped, scope kept,
a reason required and every record disclosed audited; the same as paged JSON."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from harness.images import jpeg_bytes, sha256_hex
from harness.phone import PhotoPhone, new_id
from harness.tus import TusClient
from server.advice.catalogue import load_default_catalogue
from server.audit.models import AuditAction, AuditEvent
from tests.server.supervision.phone_visits import Enrolled, complete_fields, completed_visit
from tests.support.people import Person

REASON = "quarterly burglary problem profile"
FILES = [
    "visits",
    "property_items",
    "kit_issues",
    "photos",
    "addenda",
    "victim_updates",
    "survey_responses",
    "leave_behinds",
    "advice_ticks",
    "reviews",
]


async def _scene(enrolled: Enrolled) -> tuple[Person, dict[str, str]]:
    """A sergeant of team A, two visits of team A (one with every kind of record), and a
    visit of team B; returns the sergeant and the ids made."""
    await load_default_catalogue()
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    other = await enrolled(team="Team B", area="Area X")
    photos = PhotoPhone(officer.client)
    phone = photos.phone
    visit_id, item_id, kit_id = new_id(), new_id(), new_id()
    fields = complete_fields(
        **{
            "victim.name": '=HYPERLINK("http://evil.example")',
            "advice.items": [{"id": "wide-double-locks", "version": 1}],
            "victim.vulnerabilities": ["elderly", "lives_alone"],
        }
    )
    await phone.push(
        phone.mutation("visits", visit_id, fields),
        phone.mutation(
            "property_items",
            item_id,
            {"visit_id": visit_id, "description": "@SUM(A1)", "make_model": "TV"},
        ),
        phone.mutation("kit_issues", kit_id, {"visit_id": visit_id, "kit_code": "SW-0001"}),
    )
    data = jpeg_bytes((160, 120), noise=True)
    _, photo_id = await photos.record_photo(data, visit_id=visit_id)
    await TusClient(officer.client).upload(photo_id, visit_id, data)
    await phone.push(phone.mutation("visits", visit_id, {"status": "completed"}, base_rev=1))
    await sergeant.client.post(f"/api/visits/{visit_id}/review", json={"decision": "approve"})
    _, second = await completed_visit(officer)
    _, hidden = await completed_visit(other, **{"victim.name": "Out Of Scope"})
    return sergeant, {
        "visit": visit_id,
        "second": second,
        "hidden": hidden,
        "item": item_id,
        "kit": kit_id,
        "photo": photo_id,
        "sha": sha256_hex(data),
        "officer": officer.officer.display_name,
    }


async def test_the_zip_holds_every_collection_by_name_escaped_and_audited(
    enrolled: Enrolled,
) -> None:
    sergeant, ids = await _scene(enrolled)
    response = await sergeant.client.get(
        "/api/exports/visits.zip", params={"reason": REASON, "format": "csv"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"{name}.csv" for name in FILES]
    tables = {
        name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))
        for name in FILES
    }
    visits = {r["visit_id"]: r for r in tables["visits"]}
    assert set(visits) == {ids["visit"], ids["second"]}  # scope: team B's visit is not here
    row = visits[ids["visit"]]
    assert row["victim.name"] == '\'=HYPERLINK("http://evil.example")'
    assert (row["officer"], row["team"], row["area"]) == (ids["officer"], "Team A", "Area X")
    assert "team_id" not in row
    assert row["victim.vulnerabilities"] == "elderly; lives_alone"
    assert row["status"] == "approved"
    assert [r["description"] for r in tables["property_items"]] == ["'@SUM(A1)"]
    assert [r["kit_code"] for r in tables["kit_issues"]] == ["SW-0001"]
    photo = tables["photos"][0]
    assert (photo["id"], photo["sha256"], photo["original_sha256"]) == (
        ids["photo"],
        ids["sha"],
        ids["sha"],
    )
    tick = tables["advice_ticks"][0]
    assert (tick["item_id"], tick["title"]) == (
        "wide-double-locks",
        "Double-lock doors or fit deadbolts",
    )
    review = tables["reviews"][0]
    assert (review["decision"], review["reviewer"]) == ("approve", sergeant.officer.display_name)

    disclosed = await AuditEvent.filter(action=AuditAction.DISCLOSE)
    assert {(r.record_type, r.record_id) for r in disclosed} == {
        ("visits", ids["visit"]),
        ("visits", ids["second"]),
        ("property_items", ids["item"]),
        ("kit_issues", ids["kit"]),
        ("photos", ids["photo"]),
        ("reviews", review_id(disclosed)),
    }
    assert {(r.reason, r.recipient) for r in disclosed} == {(REASON, "visits.zip export (csv)")}


def review_id(rows: list[AuditEvent]) -> str:
    return next(r.record_id for r in rows if r.record_type == "reviews")


async def test_json_lines_keep_values_as_they_are(enrolled: Enrolled) -> None:
    sergeant, ids = await _scene(enrolled)
    response = await sergeant.client.get(
        "/api/exports/visits.zip", params={"reason": REASON, "format": "jsonl"}
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"{name}.jsonl" for name in FILES]
    visits = [json.loads(line) for line in archive.read("visits.jsonl").decode().splitlines()]
    first = next(v for v in visits if v["visit_id"] == ids["visit"])
    assert first["victim.name"] == '=HYPERLINK("http://evil.example")'
    assert first["victim.vulnerabilities"] == ["elderly", "lives_alone"]
    assert first["advice.items"] == [{"id": "wide-double-locks", "version": 1}]


async def test_exports_need_a_reason_and_a_supervisor(enrolled: Enrolled) -> None:
    sergeant, _ = await _scene(enrolled)
    assert (await sergeant.client.get("/api/exports/visits.zip")).status_code == 422
    assert (await sergeant.client.get("/api/exports/photos")).status_code == 422
    for role in ("officer", "admin", "auditor"):
        caller = (await enrolled(role=role)).client
        for path in ("/api/exports/visits.zip", "/api/exports/visits"):
            assert (await caller.get(path, params={"reason": REASON})).status_code == 403


async def test_the_paged_api_walks_each_collection_a_page_of_visits_at_a_time(
    enrolled: Enrolled,
) -> None:
    sergeant, ids = await _scene(enrolled)
    first = await sergeant.client.get("/api/exports/visits", params={"reason": REASON, "limit": 1})
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["collection"], body["visits_covered"]) == ("visits", 1)
    assert body["rows"][0]["team"] == "Team A"
    rest = await sergeant.client.get(
        "/api/exports/visits",
        params={"reason": REASON, "limit": 1, "cursor": body["next_cursor"]},
    )
    walked = [r["visit_id"] for r in body["rows"] + rest.json()["rows"]]
    assert sorted(walked) == sorted([ids["visit"], ids["second"]])  # each once, in scope
    assert rest.json()["next_cursor"] is None

    photos = (await sergeant.client.get("/api/exports/photos", params={"reason": REASON})).json()
    assert [(r["id"], r["sha256"]) for r in photos["rows"]] == [(ids["photo"], ids["sha"])]
    assert "sha256" in photos["columns"]
    missing = await sergeant.client.get("/api/exports/secrets", params={"reason": REASON})
    assert missing.status_code == 404
    bad = await sergeant.client.get("/api/exports/visits", params={"reason": REASON, "cursor": "!"})
    assert bad.status_code == 400
    rows = await AuditEvent.filter(action=AuditAction.DISCLOSE, recipient="export API (photos)")
    assert [r.record_id for r in rows] == [ids["photo"]]
    assert (
        await sergeant.client.get("/api/exports/visits.csv", params={"reason": REASON})
    ).status_code == 200
