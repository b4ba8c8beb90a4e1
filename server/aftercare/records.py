"""The four aftercare collections as sync sees them: model, edge schema and read-only facts.

``server/syncing/collections.py`` registers them from ``SYNCED``; the visit's aftercare
section (``server.aftercare.detail``) shows them with ``written_fields``, the same flat form
a pull delivers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from server.aftercare.models import Addendum, LeaveBehind, SurveyResponse, VictimUpdate
from server.aftercare.schemas import (
    AddendumRecord,
    LeaveBehindRecord,
    SurveyResponseRecord,
    VictimUpdateRecord,
)
from server.feed import SyncedRecord, column_for
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


def _leave_behind(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, LeaveBehind)
    return {
        **_author(row),
        "delivery.status": row.mail_status.value,
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
