"""Victim updates by sync, and the supervisors' list of updates overdue (scoped, paged)."""

from __future__ import annotations

import dataclasses

from starlette.applications import Starlette

from server.audit.models import AuditEvent
from server.clock import FixedClock
from tests.server.aftercare.phone_aftercare import push_one
from tests.server.supervision.phone_visits import Enrolled, completed_visit


def update(visit_id: str, due: str | None, at: str = "2026-11-23T10:00:00Z") -> dict[str, object]:
    return {
        "visit_id": visit_id,
        "contacted_at": at,
        "method": "phone",
        "about": "Told the victim CCTV was collected",
        "next_update_due": due,
    }


async def test_updates_sync_and_are_checked(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    ok = await push_one(phone, "victim_updates", update(visit_id, "2026-12-07"))
    assert ok["status"] == "applied", ok
    backwards = await push_one(phone, "victim_updates", update(visit_id, "2026-11-01"))
    assert backwards["error"]["code"] == "validation_failed"
    assert "next_update_due is before contacted_at" in backwards["error"]["message"]
    no_method = await push_one(
        phone, "victim_updates", {**update(visit_id, None), "method": "carrier pigeon"}
    )
    assert no_method["error"]["details"]["field"] == "method"
    pulled = [c for c in await phone.pull_all() if c["collection"] == "victim_updates"]
    assert pulled[0]["record"]["next_update_due"] == "2026-12-07"
    assert pulled[0]["record"]["meta.author_id"] == str(officer.officer.id)


async def test_overdue_list_scoped_paged_and_audited(
    app: Starlette, enrolled: Enrolled, clock: FixedClock
) -> None:
    # Sessions that outlive the days this test moves the clock by.
    month = 30 * 86400
    app.state.settings = dataclasses.replace(
        app.state.settings, session_absolute_seconds=month, session_idle_seconds=month
    )
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    other_team = await enrolled(role="supervisor", team="Team B", area="Area X")
    phone, silent = await completed_visit(officer)  # completed "now": 2026-11-23 09:00
    _, kept_informed = await completed_visit(officer)
    _, late = await completed_visit(officer)
    _, closed = await completed_visit(officer)
    await push_one(phone, "victim_updates", update(kept_informed, "2026-12-20"))
    await push_one(phone, "victim_updates", update(late, "2026-11-25"))
    await push_one(phone, "victim_updates", update(closed, None))

    empty = await sergeant.client.get("/api/aftercare/overdue")
    assert empty.json()["visits"] == [], empty.text
    clock.advance(days=9)  # 2026-12-02: the silent visit's first update was due 2026-11-30
    page = (await sergeant.client.get("/api/aftercare/overdue")).json()
    rows = [(v["visit_id"], v["due"], v["days_overdue"]) for v in page["visits"]]
    assert rows == [(late, "2026-11-25", 7), (silent, "2026-11-30", 2)]
    assert page["visits"][0]["last_method"] == "phone"
    assert page["visits"][1]["last_contact_at"] is None
    theirs = await other_team.client.get("/api/aftercare/overdue")
    assert theirs.json()["visits"] == [], theirs.text

    first = (await sergeant.client.get("/api/aftercare/overdue", params={"limit": 1})).json()
    assert [v["visit_id"] for v in first["visits"]] == [late]
    second = (
        await sergeant.client.get(
            "/api/aftercare/overdue", params={"limit": 1, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [v["visit_id"] for v in second["visits"]] == [silent]
    assert second["next_cursor"] is None
    bad = await sergeant.client.get("/api/aftercare/overdue", params={"cursor": "nonsense"})
    assert bad.status_code == 400
    consulted = await AuditEvent.filter(action="consult", reason="overdue victim updates")
    assert {a.record_id for a in consulted} == {late, silent}
