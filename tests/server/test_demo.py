"""The demo seed: realistic, complete, and safe to run twice."""

from __future__ import annotations

from server.advice.models import AdviceItem
from server.clock import FixedClock
from server.demo import seed_demo
from server.feed.models import Revision
from server.org.models import Area, Officer, Role, Team
from server.reports.models import Report
from server.settings import Settings
from server.visits.models import Visit


async def test_seed_demo_loads_area_teams_officers_catalogue_and_visits(
    db: str, settings: Settings, clock: FixedClock
) -> None:
    counts = await seed_demo(settings, clock)
    assert counts == {"officers": 4, "advice_items": 16, "visits": 5, "reports": 4}
    assert await Area.all().count() == 1
    assert await Team.all().count() == 2
    assert await Officer.filter(role=Role.SUPERVISOR).count() == 1
    assert await AdviceItem.filter(current=True).count() == 16
    assert await Visit.filter(status="completed").count() == 4
    # Five visits, four reports (two linked to their visits on arrival: one more revision each).
    assert await Revision.exclude(collection="advice_items").count() == 5 + 4 + 2
    states = sorted(await Report.all(), key=lambda r: r.reference_crime_reference)
    assert [r.state.value for r in states] == ["visited", "in_progress", "awaiting", "awaiting"]


async def test_seed_demo_twice_adds_nothing(db: str, settings: Settings, clock: FixedClock) -> None:
    await seed_demo(settings, clock)
    again = await seed_demo(settings, clock)
    assert again == {"officers": 0, "advice_items": 0, "visits": 0, "reports": 0}
    assert await Visit.all().count() == 5
