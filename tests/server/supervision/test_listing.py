"""The visit list: filtered, keyset-paged newest first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from harness.phone import Phone, new_id
from server.audit.models import AuditAction, AuditEvent
from server.supervision.schemas import VisitPage
from tests.server.supervision.phone_visits import T0, Enrolled


async def test_list_visits_filters_and_pages_newest_first(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    phone = Phone(officer.client)
    ids = []
    for n in range(7):
        visit_id = new_id()
        ids.append(visit_id)
        postcode = "WR3 8JE" if n % 2 else "WR14 2AY"
        await phone.push(
            phone.mutation(
                "visits",
                visit_id,
                {
                    "reference.crime_reference": f"22/{1000 + n}/26",
                    "reference.reported_at": (T0 + timedelta(days=n)).isoformat(),
                    "address.postcode": postcode,
                },
            )
        )
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await sergeant.client.get("/api/visits", params=params)).json()
        # Built without response models, the page is still exactly what VisitPage says.
        assert VisitPage.model_validate(page).model_dump(mode="json") == page
        seen += [v["id"] for v in page["visits"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 7

    by_postcode = (await sergeant.client.get("/api/visits", params={"postcode": "wr3"})).json()
    assert {v["postcode"] for v in by_postcode["visits"]} == {"WR3 8JE"}
    by_ref = await sergeant.client.get("/api/visits", params={"crime_reference": "22/1003"})
    assert [v["crime_reference"] for v in by_ref.json()["visits"]] == ["22/1003/26"]
    ranged = await sergeant.client.get(
        "/api/visits",
        params={
            "date_from": (T0 + timedelta(days=2)).isoformat(),
            "date_to": (T0 + timedelta(days=4)).isoformat(),
        },
    )
    assert len(ranged.json()["visits"]) == 2
    by_status = await sergeant.client.get("/api/visits", params={"status": "approved"})
    assert by_status.json()["visits"] == []
    bad = await sergeant.client.get("/api/visits", params={"status": "lost"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["fields"][0]["field"] == "status"


async def test_each_listed_visit_is_audited_once_as_consulted(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    phone = Phone(officer.client)
    for n in range(3):
        when = (T0 + timedelta(days=n)).isoformat()
        await phone.push(phone.mutation("visits", new_id(), {"reference.reported_at": when}))
    before = await AuditEvent.all().count()
    page = (await sergeant.client.get("/api/visits", params={"limit": 2})).json()
    rows = await AuditEvent.filter(id__gt=before).order_by("id")
    assert [(r.action, r.record_id, r.actor_id, r.reason) for r in rows] == [
        (AuditAction.CONSULT, v["id"], sergeant.officer.id, "visit list") for v in page["visits"]
    ]
