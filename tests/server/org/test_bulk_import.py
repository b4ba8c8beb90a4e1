"""Importing officers from CSV: the check (dry run) says what the import will do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]

# A team new to the force, named by two rows in two areas (the second with none: the team's).
NEW_TEAM_TWICE = (
    "collar_number,display_name,role,team,area\n"
    "6001,PC First,officer,Team Fresh,Area North\n"
    "6002,PC Second,officer,Team Fresh,Area South\n"
    "6003,PC Third,officer,Team Fresh,\n"
    "6004,PC Fourth,officer,Team Bare,\n"
    "6005,PC Fifth,officer,Team Bare,Area North\n"
)


async def test_check_import_new_team_named_in_two_areas_fails_the_row_as_the_import_does(
    enrolled: Enrolled,
) -> None:
    admin = (await enrolled(role="admin", team="Team A", area="Area X")).client
    dry = await admin.post(
        "/api/admin/officers/import", json={"csv": NEW_TEAM_TWICE, "dry_run": True}
    )
    assert dry.status_code == 200, dry.text
    done = await admin.post("/api/admin/officers/import", json={"csv": NEW_TEAM_TWICE})
    assert done.status_code == 200, done.text
    checked = [(r["row"], r["status"], r["errors"]) for r in dry.json()["rows"]]
    imported = [(r["row"], r["status"], r["errors"]) for r in done.json()["rows"]]
    area_problem = [{"field": "area", "message": "the team is in another area"}]
    assert checked == [
        (2, "valid", []),
        (3, "failed", area_problem),
        (4, "valid", []),
        (5, "valid", []),
        # Team Bare is created in the default area by line 5.
        (6, "failed", area_problem),
    ]
    assert [(row, "created" if s == "valid" else s) for row, s, _ in checked] == [
        (row, s) for row, s, _ in imported
    ]
    assert [e for _, _, e in imported] == [e for _, _, e in checked]
    assert sorted(dry.json()["teams_created"]) == ["Team Bare", "Team Fresh"]
