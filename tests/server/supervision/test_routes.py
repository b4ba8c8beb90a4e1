"""Every supervision route keeps to the caller's scope: outside it, 404 or absent."""

from __future__ import annotations

from tests.server.supervision.phone_visits import Enrolled, completed_visit


async def test_supervisor_of_team_a_gets_404_for_team_b_on_every_route(
    enrolled: Enrolled,
) -> None:
    officer_b = await enrolled(team="Team B", area="Area X")
    sergeant_a = await enrolled(role="supervisor", team="Team A", area="Area X")
    _, visit_id = await completed_visit(officer_b)
    assert (await sergeant_a.client.get(f"/api/visits/{visit_id}")).status_code == 404
    review = await sergeant_a.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "approve"}
    )
    assert review.status_code == 404
    listed = (await sergeant_a.client.get("/api/visits")).json()["visits"]
    assert visit_id not in [v["id"] for v in listed]
    export = await sergeant_a.client.get(
        "/api/exports/visits.csv", params={"reason": "monthly return"}
    )
    assert visit_id not in export.text
    stats = (await sergeant_a.client.get("/api/stats")).json()
    assert stats["total"]["visits"] == 0
