"""Teams and areas created along the way (with an account, a team or a CSV import) are audited
as collected, as those created on their own are."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.audit.models import AuditEvent
from server.org.models import Area, Team
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def _collected(record_type: str, name: str) -> list[str]:
    """The reasons of the `collect` rows about the team or area of this name."""
    model = Team if record_type == "team" else Area
    row = await model.get(name=name)
    events = await AuditEvent.filter(
        record_type=record_type, record_id=str(row.id), action="collect"
    )
    return [e.reason for e in events]


async def test_create_account_in_new_team_and_area_audits_both(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin", team="Team A", area="Area X")).client
    body = {"collar_number": "7001", "display_name": "PC New", "role": "officer"}
    created = await admin.post(
        "/api/admin/officers", json={**body, "team": "Team Brand New", "area": "Area Brand New"}
    )
    assert created.status_code == 201, created.text
    assert await _collected("team", "Team Brand New") == ["created with an account"]
    assert await _collected("area", "Area Brand New") == ["created with an account"]
    # An account in an existing team audits no team or area again.
    again = await admin.post(
        "/api/admin/officers",
        json={**body, "collar_number": "7002", "team": "Team Brand New"},
    )
    assert again.status_code == 201, again.text
    assert await _collected("team", "Team Brand New") == ["created with an account"]


async def test_create_team_in_new_area_audits_the_area(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    team = await admin.post("/api/admin/teams", json={"name": "Team T", "area": "Area Fresh"})
    assert team.status_code == 201, team.text
    assert await _collected("area", "Area Fresh") == ["created with a team"]
    assert await _collected("team", "Team T") == [""]


async def test_import_officers_in_new_team_and_area_audits_both_not_on_a_dry_run(
    enrolled: Enrolled,
) -> None:
    admin = (await enrolled(role="admin", team="Team A", area="Area X")).client
    text = (
        "collar_number,display_name,role,team,area\n"
        "7101,PC One,officer,Team Imported,Area Imported\n"
        "7102,PC Two,officer,Team Imported,Area Imported\n"
        "7103,PC Three,officer,Team A,Area X\n"
    )
    dry = await admin.post("/api/admin/officers/import", json={"csv": text, "dry_run": True})
    assert dry.json()["teams_created"] == ["Team Imported"]
    assert await AuditEvent.filter(reason="CSV import").count() == 0
    done = await admin.post("/api/admin/officers/import", json={"csv": text})
    assert done.json()["created"] == 3, done.text
    assert await _collected("team", "Team Imported") == ["CSV import"]
    assert await _collected("area", "Area Imported") == ["CSV import"]
    assert await _collected("area", "Area X") == []  # it existed: not created by the import
