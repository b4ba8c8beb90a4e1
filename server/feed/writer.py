"""Recording a batch of changes: versions, rows, revisions, scope exits and audit, in order.

The caller has already locked (``lock_records``) or inserted nothing yet: every record it
changes is either locked by it or new. ``record_changes`` takes the versions
(``server.feed.versions``: on PostgreSQL from the transaction id, without a lock; on SQLite
from the counter row, just before COMMIT).

On PostgreSQL the writes are a handful of set-based statements (``server.feed.set_based``):
the revision rows, every record with its version in one statement, then the audit head, the
audit rows and the new head - the chain head being the one lock every writer shares. SQLite,
whose single writer serialises whole transactions anyway, keeps tortoise
(``_record_with_orm``), which is also the reference the set-based path is tested against
(``tests/server/syncing/test_write_paths.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.audit.service import AuditEntry, write_audit
from server.feed import set_based
from server.feed.models import Revision, ScopeExit
from server.feed.records import SyncedRecord
from server.feed.versions import take_next_versions
from server.rows import is_postgres

# Tests turn this off to run the tortoise path on PostgreSQL as the reference.
SET_BASED = True


@dataclass(frozen=True)
class RevisionNote:
    """Why a record changed: one revision row, so nothing is ever overwritten away."""

    rev: int
    op: str
    changes: dict[str, Any]
    previous: dict[str, Any] = field(default_factory=dict)
    conflicts_added: list[Any] = field(default_factory=list)
    conflicts_cleared: list[Any] = field(default_factory=list)
    # A client_id, "user:<id>" for a server screen, "server" for the server's own facts.
    author: str = ""
    actor_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    seq: int | None = None
    device_at: str | None = None


@dataclass
class Change:
    """One record's new state in this transaction, and the revisions that explain it.

    ``columns`` are the values to set (for a new record, every column but the feed's own);
    a change with no revisions moves the record in the feed without a new revision (a
    reassignment re-announces a record to its new readers). ``visit_id`` groups revisions:
    the record's visit, or its own id for a visit or a report.
    """

    model: type[SyncedRecord]
    record_id: uuid.UUID
    visit_id: uuid.UUID
    columns: dict[str, Any]
    revisions: Sequence[RevisionNote] = ()
    create: bool = False


@dataclass(frozen=True)
class ScopeExitNote:
    """A record leaving its old scope: whoever saw it through its old owner, team or area
    and cannot see it now gets a tombstone on their next pull.

    Visits and their children name the visit's old officer, team and area. A report names
    itself as ``visit_id`` and its old holder (an officer or a team; the other is None, and
    ``area_id`` is None): the reports rule in ``server.auth.scope`` matches those columns.
    """

    collection: str
    record_id: uuid.UUID
    visit_id: uuid.UUID
    officer_id: uuid.UUID | None
    team_id: int | None
    area_id: int | None


async def record_changes(
    connection: BaseDBAsyncClient,
    changes: Sequence[Change],
    *,
    now: datetime,
    exits: Sequence[ScopeExitNote] = (),
    audit: Sequence[AuditEntry] = (),
) -> list[int]:
    """Record a batch of changes inside the caller's transaction; return their versions.

    Exits take their versions before the changes, so a reader meets a record's exit from its
    old scope before the record reappears in its new one. Audit entries are written last:
    the audit chain head is the last lock taken.
    """
    changes = [_with_derived_columns(change) for change in changes]
    if SET_BASED and is_postgres(connection):
        plan = set_based.plan(changes, now)  # all Python work, before any global lock
        await set_based.write_revisions(connection, plan)
        versions = []
        if changes or exits:
            versions = await take_next_versions(connection, len(exits) + len(changes))
        exit_versions, change_versions = versions[: len(exits)], versions[len(exits) :]
        await set_based.write_records(connection, plan, change_versions)
        await _write_exits(connection, exits, exit_versions)
        await write_audit(audit, now, connection)
        return change_versions
    return await _record_with_orm(connection, changes, now=now, exits=exits, audit=audit)


def _with_derived_columns(change: Change) -> Change:
    derived = change.model.derived_columns(change.columns)
    return replace(change, columns={**change.columns, **derived}) if derived else change


async def _record_with_orm(
    connection: BaseDBAsyncClient,
    changes: Sequence[Change],
    *,
    now: datetime,
    exits: Sequence[ScopeExitNote],
    audit: Sequence[AuditEntry],
) -> list[int]:
    """The tortoise path: SQLite's, and the reference for the set-based one."""
    versions: list[int] = []
    if changes or exits:
        versions = await take_next_versions(connection, len(exits) + len(changes))
    exit_versions, change_versions = versions[: len(exits)], versions[len(exits) :]
    created: dict[type[SyncedRecord], list[SyncedRecord]] = {}
    updated: list[tuple[Change, int]] = []
    revisions: list[Revision] = []
    for change, version in zip(changes, change_versions, strict=True):
        model = change.model
        if change.create:
            row = model(id=change.record_id, **change.columns, version=version)
            row.created_at = row.updated_at = now
            created.setdefault(model, []).append(row)
        else:
            updated.append((change, version))
        revisions += [
            Revision(
                collection=model.feed_collection,
                record_id=change.record_id,
                visit_id=change.visit_id,
                rev=note.rev,
                op=note.op,
                changes=note.changes,
                previous=note.previous,
                conflicts_added=note.conflicts_added,
                conflicts_cleared=note.conflicts_cleared,
                author=note.author,
                actor_id=note.actor_id,
                client_id=note.client_id,
                seq=note.seq,
                device_at=note.device_at,
            )
            for note in change.revisions
        ]
    # Parents before children: a child's row refers to its visit's.
    for model in sorted(created, key=lambda m: m.lock_rank):
        await model.bulk_create(created[model], using_db=connection)
    # Updates after creations: an existing row may now refer to a new one (a report linked
    # to the visit this push creates).
    for change, version in updated:
        await (
            change.model.filter(id=change.record_id)
            .using_db(connection)
            .update(**change.columns, version=version, updated_at=now)
        )
    if revisions:
        await Revision.bulk_create(revisions, using_db=connection)
    await _write_exits(connection, exits, exit_versions)
    await write_audit(audit, now, connection)
    return change_versions


async def _write_exits(
    connection: BaseDBAsyncClient, exits: Sequence[ScopeExitNote], exit_versions: list[int]
) -> None:
    """Scope-exit rows at their versions (rare: a reassignment)."""
    if exits:
        await ScopeExit.bulk_create(
            [
                ScopeExit(
                    version=version,
                    collection=note.collection,
                    record_id=note.record_id,
                    visit_id=note.visit_id,
                    officer_id=note.officer_id,
                    team_id=note.team_id,
                    area_id=note.area_id,
                )
                for note, version in zip(exits, exit_versions, strict=True)
            ],
            using_db=connection,
        )
