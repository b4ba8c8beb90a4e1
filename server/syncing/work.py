"""One push's working state: the records it has loaded and locked, and what it accumulates.

``preload`` locks every record a batch touches (and the reports its visits link to) in the
feed's lock order before any mutation is applied; ``server.syncing.apply`` then changes the
view in memory and ``server.syncing.push`` records it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel
from tortoise.backends.base.client import BaseDBAsyncClient

from server.advice.service import KnownTicks
from server.audit.service import AuditEntry
from server.auth.guard import denial
from server.auth.principal import Principal
from server.context import RequestContext
from server.feed import RevisionNote, SyncedRecord, lock_records
from server.reports.linking import LINK_PATH, PushLinks
from server.settings import Settings
from server.syncing.collections import COLLECTIONS, Collection
from server.syncing.state import state_of
from server.visits.enums import VisitStatus
from sync import Mutation, RecordState, SyncError


@dataclass
class Pending:
    """A record touched by this push: its row (None if new) and its state after the merges."""

    collection: Collection
    record_id: uuid.UUID
    row: SyncedRecord | None
    state: RecordState | None
    model: BaseModel | None = None
    changed: set[str] = field(default_factory=set)
    owner: dict[str, Any] = field(default_factory=dict)  # officer/team/area or visit_id
    completed_now: bool = False
    revisions: list[RevisionNote] = field(default_factory=list)
    # Columns the server sets beside the merge (a visit's repeat flag), written with it.
    server_columns: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str | None:
        """The visit's status in this view (visits only)."""
        if self.state is None:
            return None
        value = self.state.fields.get("status", VisitStatus.DRAFT.value)
        return str(value)


@dataclass
class PushWork:
    """Everything one push transaction accumulates before it writes."""

    ctx: RequestContext
    client_id: str
    connection: BaseDBAsyncClient
    touched: dict[tuple[str, uuid.UUID], Pending] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    # The reports the batch's visits link to (locked after the visits; see preload).
    links: PushLinks | None = None
    # The advice catalogue's versions, read on the batch's first tick.
    ticks: KnownTicks | None = None

    @cached_property
    def client_uuid(self) -> uuid.UUID:
        """The pushing client's id as a UUID (each revision names it)."""
        return uuid.UUID(self.client_id)

    @property
    def principal(self) -> Principal:
        """The officer pushing."""
        return self.ctx.caller

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self.ctx.settings


def refused(work: PushWork, m: Mutation, error: SyncError, why: str) -> SyncError:
    """``error`` for a mutation refused on access grounds, its ``denied`` row noted."""
    work.audit.append(denial(work.ctx, m.collection, m.id, f"sync {m.op} refused: {why}"))
    return error


def rejected(error: SyncError) -> dict[str, Any]:
    """The result of a mutation refused with ``error`` (kept and acknowledged)."""
    return {"status": "rejected", "rev": None, "error": error.to_json()}


def uuid_or_none(value: object) -> uuid.UUID | None:
    """A UUID from the wire, or None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def preload(work: PushWork, raws: list[dict[str, Any]]) -> None:
    """Load and lock every record the batch touches, in the feed's lock order.

    A child's visit is locked with it (and before it), so the visit's status cannot change
    under the push; one query per collection replaces one per mutation.
    """
    wanted: dict[str, set[uuid.UUID]] = {n: set() for n, c in COLLECTIONS.items() if c.pushable}
    for raw in raws:
        name, record_id = raw.get("collection"), uuid_or_none(raw.get("id"))
        if not isinstance(name, str) or name not in wanted:
            continue  # unknown names and pull-only collections are refused one by one
        if record_id is not None:
            wanted[name].add(record_id)
            fields = raw.get("fields")
            if name != "visits" and isinstance(fields, dict):
                visit_id = uuid_or_none(fields.get("visit_id"))
                if visit_id is not None:
                    wanted["visits"].add(visit_id)
    for name, ids in wanted.items():
        if name != "visits" and ids:
            model = COLLECTIONS[name].model
            parents = (
                await model.filter(id__in=list(ids))
                .using_db(work.connection)
                .values_list("visit_id", flat=True)
            )
            wanted["visits"].update(uuid.UUID(str(p)) for p in parents)
    rows = await lock_records(
        work.connection, {COLLECTIONS[name].model: ids for name, ids in wanted.items()}
    )
    for name, ids in wanted.items():
        collection = COLLECTIONS[name]
        for record_id in sorted(ids):
            row = rows.get((collection.model, record_id))
            work.touched[(name, record_id)] = Pending(
                collection, record_id, row, state_of(collection, row) if row else None
            )
    # Only a stored visit can be linked already: a report's link is a foreign key, so a
    # visit this push creates has none (a rival push creating it too fails on its key).
    stored = {v for v in wanted["visits"] if work.touched[("visits", v)].row is not None}
    await _preload_reports(work, raws, stored)


async def _preload_reports(
    work: PushWork, raws: list[dict[str, Any]], visit_ids: set[uuid.UUID]
) -> None:
    """Lock the reports the batch's stored visits link to, its visits name, or share a crime
    reference with.

    Reports rank after visits and children in the feed's lock order, so they are locked
    only now, once the visits are held.
    """
    asked: set[uuid.UUID] = set()
    refs: set[str] = set()
    for raw in raws:
        fields = raw.get("fields")
        if raw.get("collection") != "visits" or not isinstance(fields, dict):
            continue
        report_id = uuid_or_none(fields.get(LINK_PATH))
        if report_id is not None:
            asked.add(report_id)
        ref = fields.get("reference.crime_reference")
        if isinstance(ref, str) and ref.strip():
            refs.add(ref.strip().upper())
    work.links = await PushLinks.load(
        work.connection, ctx=work.ctx, visit_ids=visit_ids, report_ids=asked, crime_references=refs
    )
