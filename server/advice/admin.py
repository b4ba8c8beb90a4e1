"""Editing the advice catalogue: add an item, add a version of it, retire it - through the feed.

Every version is a synchronised record written by ``server.feed.record_changes``, so officers'
phones receive a change on their next pull, offline ones when they reconnect (PROTOCOL.md 2.1).
An edit never changes a version: it adds the next one and marks the previous one no longer
``current``; retiring marks the current version ``retired``. Nothing is deleted, so every tick
ever given (``{"id", "version"}``) still names a record, and the push accepts it.

Administrators' changes are audited (one row per record touched) and authored ``user:<id>``;
the default catalogue installed by ``doorstep migrate`` or ``seed-demo`` is authored
``server`` and writes no audit row (no key is needed at migrate time).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.advice.models import AdviceItem, advice_record_id
from server.advice.schemas import AddAdviceRequest, EditAdviceRequest
from server.advice.service import advice_record
from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.context import RequestContext
from server.errors import Conflict, NotFound
from server.feed import Change, RevisionNote, lock_records, record_changes


@dataclass(frozen=True)
class Draft:
    """What one version of an item says."""

    item_id: str
    category: str
    title: str
    body: str
    tags: tuple[str, ...]
    position: int


def slug(title: str) -> str:
    """An item id made from a title (``Fit window locks`` -> ``fit-window-locks``)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "item"


def _author(ctx: RequestContext | None) -> tuple[str, uuid.UUID | None]:
    if ctx is None or ctx.principal is None:
        return "server", None
    return f"user:{ctx.principal.officer_id}", ctx.principal.officer_id


def _new_version(draft: Draft, number: int, ctx: RequestContext | None) -> Change:
    author, actor = _author(ctx)
    record_id = advice_record_id(draft.item_id, number)
    row = AdviceItem(
        item_id=draft.item_id,
        item_version=number,
        category=draft.category,
        title=draft.title,
        body=draft.body,
        tags=list(draft.tags),
        position=draft.position,
        current=True,
        retired=False,
    )
    fields = advice_record(row).model_dump()
    columns: dict[str, Any] = {
        "item_id": draft.item_id,
        "item_version": number,
        "category": draft.category,
        "title": draft.title,
        "body": draft.body,
        "tags": list(draft.tags),
        "position": draft.position,
        "current": True,
        "retired": False,
        "rev": 1,
        "field_revs": dict.fromkeys(fields, 1),
        "field_authors": dict.fromkeys(fields, author),
    }
    note = RevisionNote(rev=1, op="put", changes=fields, author=author, actor_id=actor)
    return Change(AdviceItem, record_id, record_id, columns, revisions=[note], create=True)


def _flag(row: AdviceItem, name: str, value: bool, ctx: RequestContext) -> Change:
    """Turn ``current`` off or ``retired`` on for a stored version (a new revision of it)."""
    author, actor = _author(ctx)
    rev = row.rev + 1
    note = RevisionNote(
        rev=rev,
        op="put",
        changes={name: value},
        previous={name: getattr(row, name)},
        author=author,
        actor_id=actor,
    )
    columns = {
        name: value,
        "rev": rev,
        "field_revs": {**row.field_revs, name: rev},
        "field_authors": {**row.field_authors, name: author},
    }
    return Change(AdviceItem, row.id, row.id, columns, revisions=[note])


def _entry(ctx: RequestContext, action: AuditAction, record_id: uuid.UUID, why: str) -> AuditEntry:
    return ctx.audit(action, record_type="advice_items", record_id=record_id, reason=why)


async def install_items(drafts: Sequence[Draft], now: datetime) -> int:
    """Add version 1 of each item not in the catalogue yet (the default set); no audit."""
    async with in_transaction() as connection:
        present = {
            str(item_id)
            for item_id in await AdviceItem.filter(item_id__in=[d.item_id for d in drafts])
            .using_db(connection)
            .values_list("item_id", flat=True)
        }
        changes = [_new_version(d, 1, None) for d in drafts if d.item_id not in present]
        await record_changes(connection, changes, now=now)
    return len(changes)


async def list_versions() -> list[AdviceItem]:
    """Every version of every item, items in display order, newest version first."""
    return await AdviceItem.all().order_by("position", "item_id", "-item_version")


async def add_item(body: AddAdviceRequest, *, ctx: RequestContext) -> AdviceItem:
    """Add a new item at version 1 (409 if its id is taken, even by a retired item)."""
    item_id = body.item_id or slug(body.title)
    async with in_transaction() as connection:
        if await AdviceItem.filter(item_id=item_id).using_db(connection).exists():
            raise Conflict(f"advice item {item_id} already exists", code="advice_item_exists")
        last = await AdviceItem.all().using_db(connection).order_by("-position").first()
        position = (
            body.position if body.position is not None else (last.position + 1 if last else 0)
        )
        draft = Draft(item_id, body.category, body.title, body.body, tuple(body.tags), position)
        change = _new_version(draft, 1, ctx)
        entry = _entry(ctx, AuditAction.COLLECT, change.record_id, f"advice {item_id} version 1")
        try:
            await record_changes(connection, [change], now=ctx.now, audit=[entry])
        except IntegrityError as exc:  # another administrator added it a moment ago
            raise Conflict(
                f"advice item {item_id} already exists", code="advice_item_exists"
            ) from exc
    return await AdviceItem.get(id=change.record_id)


async def _current(item_id: str, connection: Any) -> AdviceItem:
    """The item's current version, locked (404 if there is no such item)."""
    row = await AdviceItem.filter(item_id=item_id, current=True).using_db(connection).first()
    if row is None:
        raise NotFound("No such advice item.")
    locked = await lock_records(connection, {AdviceItem: [row.id]})
    current = locked.get((AdviceItem, row.id))
    if not isinstance(current, AdviceItem) or not current.current:
        raise Conflict("The item changed meanwhile; try again.", code="advice_item_changed")
    return current


async def edit_item(item_id: str, body: EditAdviceRequest, *, ctx: RequestContext) -> AdviceItem:
    """Add the next version of an item; the version ticks were given keeps its text."""
    async with in_transaction() as connection:
        old = await _current(item_id, connection)
        if old.retired:
            raise Conflict("A retired item cannot be edited.", code="advice_item_retired")
        given = body.model_dump(exclude_none=True)
        draft = Draft(
            item_id,
            given.get("category", old.category),
            given.get("title", old.title),
            given.get("body", old.body),
            tuple(given.get("tags", old.tags)),
            given.get("position", old.position),
        )
        number = old.item_version + 1
        new = _new_version(draft, number, ctx)
        audit = [
            _entry(ctx, AuditAction.ALTER, old.id, f"advice {item_id} superseded"),
            _entry(ctx, AuditAction.COLLECT, new.record_id, f"advice {item_id} version {number}"),
        ]
        try:
            await record_changes(
                connection, [_flag(old, "current", False, ctx), new], now=ctx.now, audit=audit
            )
        except IntegrityError as exc:
            raise Conflict(
                "The item changed meanwhile; try again.", code="advice_item_changed"
            ) from exc
    return await AdviceItem.get(id=new.record_id)


async def retire_item(item_id: str, reason: str, *, ctx: RequestContext) -> AdviceItem:
    """Stop offering an item; visits that ticked it keep their tick (idempotent)."""
    async with in_transaction() as connection:
        row = await _current(item_id, connection)
        if not row.retired:
            why = f"advice {item_id} retired" + (f": {reason}" if reason else "")
            await record_changes(
                connection,
                [_flag(row, "retired", True, ctx)],
                now=ctx.now,
                audit=[_entry(ctx, AuditAction.ALTER, row.id, why)],
            )
    return await AdviceItem.get(id=row.id)
