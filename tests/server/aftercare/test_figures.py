"""Satisfaction figures against a fixture worked by hand (both channels, two weeks, three teams).

                       week of 2026-11-16      week of 2026-11-23
    Team A (Area X)    v1: 5, v2: 3            v4: 2, v8: 4
    Team B (Area X)    v3: 4                   v5: 5, v6: 4 (answered online)
    Team C (Area Y)                            v7: 1

Satisfied means 4 or 5. The Area X supervisor sees 7 answers, 5 satisfied (0.7143); week one
2 of 3 (0.6667), week two 3 of 4 (0.75); Team A 2 of 4 (0.5), Team B 3 of 3 (1.0). Team C's
supervisor sees only v7: 0 of 1.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.clock import FixedClock
from server.settings import Settings
from tests.server.aftercare.phone_aftercare import given_leave_behind, push_one
from tests.server.supervision.phone_visits import Enrolled, completed_visit

MONTH = 30 * 86400


@pytest.fixture
def clock() -> FixedClock:
    """The fixture starts on Tuesday 17 November 2026."""
    return FixedClock(datetime(2026, 11, 17, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Sessions that last the fortnight the fixture spans."""
    return Settings(
        database_url=database_url,
        photo_dir=tmp_path / "photos",
        session_absolute_seconds=MONTH,
        session_idle_seconds=MONTH,
    )


def group(responses: int, satisfied: int, share: float | None) -> dict[str, object]:
    return {"responses": responses, "satisfied": satisfied, "satisfied_share": share}


def numbers(row: dict[str, object]) -> dict[str, object]:
    return {k: row[k] for k in ("responses", "satisfied", "satisfied_share")}


async def test_share_satisfied_by_week_area_and_team(
    enrolled: Enrolled, clock: FixedClock, make_client: object
) -> None:
    a = await enrolled(team="Team A", area="Area X")
    b = await enrolled(team="Team B", area="Area X")
    c = await enrolled(team="Team C", area="Area Y")
    area_x = await enrolled(role="supervisor", team="Team A", area="Area X", scope="area")
    team_c = await enrolled(role="supervisor", team="Team C", area="Area Y")

    async def answered(officer: object, overall: int) -> None:
        phone, visit_id = await completed_visit(officer)  # type: ignore[arg-type]
        result = await push_one(
            phone, "survey_responses", {"visit_id": visit_id, "overall": overall}
        )
        assert result["status"] == "applied", result

    clock.advance(days=1)  # Wednesday 18 November
    await answered(a, 5)
    await answered(a, 3)
    await answered(b, 4)
    clock.advance(days=6)  # Tuesday 24 November
    await answered(a, 2)
    await answered(b, 5)
    await answered(c, 1)
    await answered(a, 4)
    phone, visit_id = await completed_visit(b)
    token, _ = await given_leave_behind(phone, visit_id)
    victim = make_client()  # type: ignore[operator]
    online = await victim.post(f"/s/{token}", data={"overall": "4"})
    assert online.status_code == 200

    figures = (await area_x.client.get("/api/aftercare/figures")).json()
    assert figures["baseline_share"] == 0.74
    assert numbers(figures["total"]) == group(7, 5, 0.7143)
    weeks = {w["key"]: numbers(w) for w in figures["by_week"]}
    assert weeks == {"2026-11-16": group(3, 2, 0.6667), "2026-11-23": group(4, 3, 0.75)}
    teams = {t["name"]: numbers(t) for t in figures["by_team"]}
    assert teams == {"Team A": group(4, 2, 0.5), "Team B": group(3, 3, 1.0)}
    assert [(x["name"], numbers(x)) for x in figures["by_area"]] == [
        ("Area X", group(7, 5, 0.7143))
    ]

    team_b_id = next(t["key"] for t in figures["by_team"] if t["name"] == "Team B")
    only_b = (await area_x.client.get("/api/aftercare/figures", params={"team": team_b_id})).json()
    assert numbers(only_b["total"]) == group(3, 3, 1.0)
    since = (
        await area_x.client.get(
            "/api/aftercare/figures", params={"date_from": "2026-11-23T00:00:00Z"}
        )
    ).json()
    assert numbers(since["total"]) == group(4, 3, 0.75)
    theirs = (await team_c.client.get("/api/aftercare/figures")).json()
    assert numbers(theirs["total"]) == group(1, 0, 0.0)
    nothing = (
        await team_c.client.get(
            "/api/aftercare/figures", params={"date_to": "2026-11-18T00:00:00Z"}
        )
    ).json()
    assert numbers(nothing["total"]) == group(0, 0, None)
    assert nothing["by_week"] == []
