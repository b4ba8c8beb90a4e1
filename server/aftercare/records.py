"""The four aftercare collections as sync sees them: model, edge schema and read-only facts.

``server/syncing/collections.py`` registers them from ``SYNCED``; the visit's aftercare
section (``server.aftercare.detail``) shows them with ``written_fields``, the same flat form
a pull delivers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from server.aftercare.enums import MailStatus
from server.aftercare.models import Addendum, LeaveBehind, SurveyResponse, VictimUpdate
from server.aftercare.schemas import (
    AddendumRecord,
    LeaveBehindRecord,
    SurveyResponseRecord,
    VictimUpdateRecord,
)
from server.feed import Change, RevisionNote, SyncedRecord, column_for
from server.visits.schemas import leaf_paths


def _author(row: SyncedRecord) -> dict[str, Any]:
    author_id = getattr(row, "author_id", None)
    return {
        "meta.author_id": str(author_id) if author_id else None,
        "meta.recorded_at": to_jsonable_python(row.created_at),
    }


def _survey(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, SurveyResponse)
    return {**_author(row), "meta.channel": row.channel.value}


def delivery_status(row: LeaveBehind) -> MailStatus:
    """Where the leave-behind's email is: asked for and not yet sent is "queued"."""
    if row.email_requested and row.mail_status is MailStatus.NONE:
        return MailStatus.QUEUED
    return row.mail_status


def _leave_behind(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, LeaveBehind)
    return {
        **_author(row),
        "delivery.status": delivery_status(row).value,
        "delivery.sent_at": to_jsonable_python(row.mail_sent_at),
    }


Extras = Callable[[SyncedRecord], dict[str, Any]]
# (collection, model, edge schema, read-only paths a pull adds)
SYNCED: tuple[tuple[str, type[SyncedRecord], type[BaseModel], Extras], ...] = (
    ("addenda", Addendum, AddendumRecord, _author),
    ("victim_updates", VictimUpdate, VictimUpdateRecord, _author),
    ("survey_responses", SurveyResponse, SurveyResponseRecord, _survey),
    ("leave_behinds", LeaveBehind, LeaveBehindRecord, _leave_behind),
)
PATHS: dict[type[SyncedRecord], tuple[str, ...]] = {
    model: tuple(leaf_paths(schema)) for _, model, schema, _ in SYNCED
}


def written_fields(row: SyncedRecord) -> dict[str, Any]:
    """The record's written fields as JSON, keyed by dotted path (as a pull shows them)."""
    return {
        path: to_jsonable_python(getattr(row, column_for(path)))
        for path in PATHS[type(row)]
        if path in row.field_revs
    }


def columns_of(record: BaseModel, paths: list[str]) -> dict[str, Any]:
    """Column values for ``paths`` of a validated record (``visit_id`` is the caller's)."""
    values: dict[str, Any] = {}
    for path in paths:
        value: Any = record
        for part in path.split("."):
            value = getattr(value, part)
        values[column_for(path)] = value
    return values


def set_paths(record: BaseModel) -> list[str]:
    """The paths of a record that hold a value (what a creation writes), ``visit_id`` aside."""
    return [
        path
        for path in leaf_paths(type(record))
        if path != "visit_id" and columns_of(record, [path])[column_for(path)] is not None
    ]


def new_record(
    model: type[SyncedRecord],
    record_id: uuid.UUID,
    visit_id: uuid.UUID,
    record: BaseModel,
    *,
    author: str,
    actor_id: uuid.UUID | None = None,
    columns: dict[str, Any] | None = None,
) -> Change:
    """A record the server creates itself (a supervisor's addendum, an online survey answer),
    as a push would have: rev 1, every written path with its author, one ``create`` revision."""
    paths = set_paths(record)
    unsaved = model(**columns_of(record, paths))
    unsaved.field_revs = dict.fromkeys(paths, 1)
    changes = {"visit_id": str(visit_id), **written_fields(unsaved)}
    return Change(
        model,
        record_id,
        visit_id,
        columns={
            **columns_of(record, paths),
            **(columns or {}),
            "visit_id": visit_id,
            "rev": 1,
            "field_revs": dict.fromkeys(changes, 1),
            "field_authors": dict.fromkeys(changes, author),
        },
        revisions=[
            RevisionNote(rev=1, op="create", changes=changes, author=author, actor_id=actor_id)
        ],
        create=True,
    )
