"""``GET /api/aftercare/figures``: the share of victims satisfied, beside the pilot's 74%.

"Satisfied" is 4 or 5 out of 5 on the whole-experience question (``overall``), as victim
satisfaction surveys count it. Answers are counted in the week (ISO, keyed by its Monday, UTC)
they were received, by the visit's area and team, within the caller's scope. Both channels
(the officer at a follow-up, the victim online) count; a visit is answered at most once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from server.aftercare.models import SurveyResponse
from server.aftercare.schemas import FiguresQuery, SatisfactionFigures, SatisfactionGroup
from server.auth.scope import visit_scope
from server.context import RequestContext
from server.org.models import Area, Team

# seeds/003: a pilot visiting every victim in person raised satisfaction to 74%.
PILOT_SHARE = 0.74


def _group(key: str, name: str, scores: Iterable[int]) -> SatisfactionGroup:
    scores = list(scores)
    satisfied = sum(1 for s in scores if s >= 4)
    return SatisfactionGroup(
        key=key,
        name=name,
        responses=len(scores),
        satisfied=satisfied,
        satisfied_share=round(satisfied / len(scores), 4) if scores else None,
    )


def _monday(moment: Any) -> str:
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return (day - timedelta(days=day.weekday())).isoformat()


async def satisfaction_figures(query: FiguresQuery, *, ctx: RequestContext) -> SatisfactionFigures:
    """Share satisfied in the caller's scope: in all, by week, by area and by team."""
    answers = SurveyResponse.filter(
        visit_scope(ctx.caller, ctx.settings, "visit__"), deleted=False, visit__deleted=False
    )
    if query.date_from:
        answers = answers.filter(created_at__gte=query.date_from)
    if query.date_to:
        answers = answers.filter(created_at__lt=query.date_to)
    if query.area:
        answers = answers.filter(visit__area_id=query.area)
    if query.team:
        answers = answers.filter(visit__team_id=query.team)
    rows = await answers.values("overall", "created_at", "visit__area_id", "visit__team_id")
    by: dict[str, dict[str, list[int]]] = {d: defaultdict(list) for d in ("week", "area", "team")}
    for row in rows:
        score = int(row["overall"])
        by["week"][_monday(row["created_at"])].append(score)
        by["area"][str(row["visit__area_id"])].append(score)
        by["team"][str(row["visit__team_id"])].append(score)
    areas = {str(a.id): a.name for a in await Area.filter(id__in=[int(k) for k in by["area"]])}
    teams = {str(t.id): t.name for t in await Team.filter(id__in=[int(k) for k in by["team"]])}
    return SatisfactionFigures(
        baseline_share=PILOT_SHARE,
        total=_group("all", "All answers in scope", (int(r["overall"]) for r in rows)),
        by_week=[_group(k, f"Week of {k}", v) for k, v in sorted(by["week"].items())],
        by_area=[_group(k, areas.get(k, "?"), v) for k, v in sorted(by["area"].items())],
        by_team=[_group(k, teams.get(k, "?"), v) for k, v in sorted(by["team"].items())],
    )
