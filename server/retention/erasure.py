"""Erasing one visit: every trace of its personal data, in one transaction, then its photo bytes.

What goes (DPA 2018 Part 3: erasure must leave nothing from which the data can be restored):

- the visit's columns and every child record's (property items, kits, photos and any child
  collection there is: ``server.feed.visit_children``), each left as a tombstone that reaches
  the phones holding it (``server.feed.erase_visit_records``);
- the contents of every revision of those records;
- the fields of every mutation phones pushed for them (the digest stays: a one-way hash the
  exactly-once check needs for a retried push);
- the notes of every review of the visit (the decision, reviewer and time stay);
- the photos' uploads, with their chunks, and the originals and derivatives no other photo
  names (``server.retention.objects``).

What stays: the tombstones (ids, owner, team, area, when erased), revision and review
skeletons (who did what and when) and the audit log, which holds no personal data and is kept
for the period the force's s.62 policy sets. Each erased record gets an ``erase`` audit row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import Conflict, NotFound
from server.feed import SyncedRecord, erase_visit_records, lock_records, visit_children
from server.photos.models import Photo, Upload
from server.photos.store import PhotoStore
from server.retention.objects import queue_objects, remove_objects
from server.syncing.models import ReceivedMutation
from server.visits.models import Review, Visit


@dataclass
class Erased:
    """What one erasure did: records by collection, and the photo objects removed."""

    visit_id: uuid.UUID
    records: dict[str, int] = field(default_factory=dict)
    objects_removed: int = 0
    objects_pending: int = 0


async def erase_visit(
    visit_id: uuid.UUID, why: str, *, ctx: RequestContext, store: PhotoStore
) -> Erased:
    """Erase a visit and everything of it; ``why`` goes into each ``erase`` audit row.

    404 if there is no such visit, 409 if it was erased already.
    """
    author = f"user:{ctx.principal.officer_id}" if ctx.principal else "server"
    actor = ctx.principal.officer_id if ctx.principal else ctx.actor_id
    erased = Erased(visit_id)
    async with in_transaction() as connection:
        locked = await lock_records(connection, {Visit: [visit_id]})
        visit = locked.get((Visit, visit_id))
        if not isinstance(visit, Visit):
            raise NotFound("No such visit.")
        if visit.erased_at is not None:
            raise Conflict("The visit was erased already.", code="visit_erased")
        wanted = {
            model: [
                uuid.UUID(str(i))
                for i in await model.filter(visit_id=visit.id)
                .using_db(connection)
                .values_list("id", flat=True)
            ]
            for model in visit_children()
        }
        rows = await lock_records(connection, wanted)
        children: list[SyncedRecord] = sorted(rows.values(), key=lambda r: str(r.id))
        photos = [c for c in children if isinstance(c, Photo)]
        hashes = {h for p in photos for h in (p.sha256, p.original_sha256) if h}
        uploads = await Upload.filter(photo_id__in=[p.id for p in photos]).using_db(connection)
        hashes |= {u.sha256 for u in uploads}
        await Upload.filter(id__in=[u.id for u in uploads]).using_db(connection).delete()
        record_ids = [visit.id, *(c.id for c in children)]
        await (
            ReceivedMutation.filter(record_id__in=record_ids)
            .using_db(connection)
            .update(fields_json={})
        )
        await Review.filter(visit_id=visit.id).using_db(connection).update(note="")
        audit = [
            ctx.audit(AuditAction.ERASE, record_type=r.feed_collection, record_id=r.id, reason=why)
            for r in (visit, *children)
        ]
        await erase_visit_records(
            connection,
            visit,
            children,
            now=ctx.now,
            author=author,
            actor_id=actor,
            visit_columns={"erased_at": ctx.now},
            audit=audit,
        )
        keys = await queue_objects(connection, hashes, (str(u.id) for u in uploads), ctx.now)
    for record in (visit, *children):
        erased.records[record.feed_collection] = erased.records.get(record.feed_collection, 0) + 1
    erased.objects_removed, erased.objects_pending = await remove_objects(store, keys)
    return erased
