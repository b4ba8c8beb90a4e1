"""Report rows as the crime system sends them, for the reports tests."""

from __future__ import annotations

import copy
from typing import Any

TEAM = "Worcester Response A"
AREA = "South Worcestershire"


def report_row(ref: str = "22/41871/26", **changes: Any) -> dict[str, Any]:
    """A valid intake row; ``changes`` are dotted paths to set (None removes the key)."""
    row: dict[str, Any] = {
        "reference": {
            "crime_reference": ref,
            "incident_number": "LOG-0412",
            "reported_at": "2026-11-22T18:40:00Z",
        },
        "offence": {"type": "dwelling"},
        "address": {
            "line1": "14 Lansdowne Crescent",
            "town": "Worcester",
            "postcode": "wr3 8je",
        },
        "victim": {
            "name": "Ann Smith",
            "phone": "07700 900123",
            "vulnerabilities": ["elderly"],
            "repeat_victim": False,
        },
        "team": TEAM,
    }
    row = copy.deepcopy(row)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = row
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return row


async def take_in(ctx: Any, *rows: dict[str, Any]) -> list[str]:
    """Take rows in as the crime system would (no HTTP); the report ids, in order."""
    from server.reports.intake import IntakeRow, intake

    result = await intake(
        [IntakeRow(i, row) for i, row in enumerate(rows)], ctx=ctx, author="import", reason="t"
    )
    assert result.refused == 0, result
    return [str(r.id) for r in result.results]


async def team_a(enrolled: Any, officers: int = 1) -> tuple[Any, list[Any]]:
    """A supervisor of Team A (Area X) and ``officers`` officers of the team."""
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    return sergeant, [await enrolled(team="Team A", area="Area X") for _ in range(officers)]
