"""What each exported file holds: one table per collection, names rather than ids.

Every table is built from a page of visits (in the caller's scope, filtered), so scope is
decided once, by the visit, and children follow it as they do everywhere. Columns come from the
same edge schemas the phone writes (``server.syncing.collections``), so a field added to a
record is exported without anyone remembering to: visits and each child collection (property
items, kits, photos, and any other), plus advice ticks with their catalogue titles and the
supervisors' reviews with the reviewer named. Officers, teams and areas appear by name (and
collar number), never as bare ids; record ids stay so the files join.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from server.advice.models import AdviceItem
from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.context import RequestContext
from server.feed import column_for
from server.org.models import Area, Team
from server.photos.models import Photo
from server.syncing.collections import COLLECTIONS, Collection
from server.visits.models import Review, Visit

Row = dict[str, Any]


@dataclass(frozen=True)
class Names:
    """Teams, areas and catalogue versions by id, loaded once per export (small tables)."""

    teams: dict[int, str]
    areas: dict[int, str]
    advice: dict[tuple[str, int], AdviceItem]

    @classmethod
    async def load(cls) -> Names:
        """Read the lookups."""
        return cls(
            teams={t.id: t.name for t in await Team.all()},
            areas={a.id: a.name for a in await Area.all()},
            advice={(a.item_id, a.item_version): a for a in await AdviceItem.all()},
        )


@dataclass(frozen=True)
class Table:
    """One exported file: its columns and how a page of visits becomes its rows."""

    name: str
    columns: tuple[str, ...]
    rows: Callable[[Sequence[Visit], Names], Awaitable[tuple[list[Row], list[tuple[str, Any]]]]]


def _reference(visit: Visit) -> str | None:
    return visit.reference_crime_reference


VISIT_META = (
    "visit_id",
    "officer",
    "officer_collar",
    "team",
    "area",
    "completed_at",
    "approved_at",
    "review_note",
    "created_at",
)


async def _visit_rows(
    visits: Sequence[Visit], names: Names
) -> tuple[list[Row], list[tuple[str, Any]]]:
    paths = COLLECTIONS["visits"].paths
    rows = []
    for v in visits:
        row: Row = {
            "visit_id": str(v.id),
            "officer": v.officer.display_name,
            "officer_collar": v.officer.collar_number,
            "team": names.teams.get(v.team_id),  # type: ignore[attr-defined]
            "area": names.areas.get(v.area_id),  # type: ignore[attr-defined]
            "completed_at": v.completed_at,
            "approved_at": v.approved_at,
            "review_note": v.review_note,
            "created_at": v.created_at,
        }
        row.update({path: getattr(v, column_for(path)) for path in paths})
        rows.append(row)
    return rows, [("visits", v.id) for v in visits]


def _child_table(collection: Collection) -> Table:
    paths = tuple(p for p in collection.paths if p != "visit_id")
    extra: tuple[str, ...] = ()
    if collection.model is Photo:
        extra = ("upload.status", "original_sha256", "original_bytes", "verified_at")

    async def rows(
        visits: Sequence[Visit], names: Names
    ) -> tuple[list[Row], list[tuple[str, Any]]]:
        by_id = {v.id: v for v in visits}
        found = await collection.model.filter(visit_id__in=list(by_id), deleted=False).order_by(
            "visit_id", "created_at", "id"
        )
        out = []
        for r in found:
            visit = by_id[r.visit_id]  # type: ignore[attr-defined]
            row: Row = {
                "id": str(r.id),
                "visit_id": str(visit.id),
                "crime_reference": _reference(visit),
            }
            row.update({p: getattr(r, column_for(p)) for p in paths})
            if isinstance(r, Photo):
                row.update(
                    {
                        "upload.status": r.status,
                        "original_sha256": r.original_sha256,
                        "original_bytes": r.original_bytes,
                        "verified_at": r.verified_at,
                    }
                )
            out.append(row)
        return out, [(collection.name, r.id) for r in found]

    return Table(collection.name, ("id", "visit_id", "crime_reference", *paths, *extra), rows)


async def _advice_rows(
    visits: Sequence[Visit], names: Names
) -> tuple[list[Row], list[tuple[str, Any]]]:
    out = []
    for v in visits:
        for tick in v.advice_items:
            if not isinstance(tick, dict):
                continue
            item = names.advice.get((str(tick.get("id")), int(tick.get("version") or 0)))
            out.append(
                {
                    "visit_id": str(v.id),
                    "crime_reference": _reference(v),
                    "item_id": tick.get("id"),
                    "version": tick.get("version"),
                    "category": item.category if item else None,
                    "title": item.title if item else None,
                }
            )
    return out, []  # part of the visit, disclosed (and audited) with it


async def _review_rows(
    visits: Sequence[Visit], names: Names
) -> tuple[list[Row], list[tuple[str, Any]]]:
    by_id = {v.id: v for v in visits}
    found = await Review.filter(visit_id__in=list(by_id)).select_related("reviewer").order_by("id")
    out = [
        {
            "visit_id": str(r.visit_id),  # type: ignore[attr-defined]
            "crime_reference": _reference(by_id[r.visit_id]),  # type: ignore[attr-defined]
            "decision": r.decision,
            "note": r.note,
            "reviewer": r.reviewer.display_name,
            "reviewer_collar": r.reviewer.collar_number,
            "visit_rev": r.visit_rev,
            "at": r.created_at,
        }
        for r in found
    ]
    return out, [("reviews", r.id) for r in found]


def tables() -> list[Table]:
    """Every exported file, visits first."""
    return [
        Table("visits", (*VISIT_META, *COLLECTIONS["visits"].paths), _visit_rows),
        *(_child_table(c) for c in COLLECTIONS.values() if c.is_child),
        Table(
            "advice_ticks",
            ("visit_id", "crime_reference", "item_id", "version", "category", "title"),
            _advice_rows,
        ),
        Table(
            "reviews",
            (
                "visit_id",
                "crime_reference",
                "decision",
                "note",
                "reviewer",
                "reviewer_collar",
                "visit_rev",
                "at",
            ),
            _review_rows,
        ),
    ]


def table_named(name: str) -> Table | None:
    """The table exported under this name, if any."""
    return next((t for t in tables() if t.name == name), None)


def disclosures(
    ctx: RequestContext, records: list[tuple[str, Any]], reason: str, recipient: str
) -> list[AuditEntry]:
    """One ``disclose`` audit row per record handed over (s.62: with the reason given)."""
    return [
        ctx.audit(
            AuditAction.DISCLOSE,
            record_type=kind,
            record_id=record_id,
            reason=reason,
            recipient=recipient,
        )
        for kind, record_id in records
    ]
