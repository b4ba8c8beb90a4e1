"""The synchronised collections: their table, their edge schema and their wire form.

Every field a client may write is a dotted path of the collection's schema, stored in the
column of the same name with dots as underscores. Server-kept facts (a visit's review note, a
photo's verification) travel to the phone as read-only paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from server.feed import SyncedRecord
from server.photos.models import Photo
from server.photos.schemas import PhotoRecord
from server.visits.models import KitIssue, PropertyItem, Visit
from server.visits.schemas import (
    KitIssueRecord,
    PropertyItemRecord,
    VisitRecord,
    leaf_paths,
)


def column_for(path: str) -> str:
    """The column that stores a dotted path (``address.postcode`` -> ``address_postcode``)."""
    return path.replace(".", "_")


_AS_IS = frozenset({str, int, float, bool, type(None)})


def wire_value(value: Any) -> Any:
    """A stored value as JSON, in exactly the form validation produces (so equality works)."""
    if type(value) in _AS_IS:  # already JSON (subclasses such as enums are converted)
        return value
    return to_jsonable_python(value)


def _visit_extras(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, Visit)
    return {
        "review.note": row.review_note,
        "meta.officer_id": str(row.officer_id),  # type: ignore[attr-defined]
        "meta.completed_at": wire_value(row.completed_at),
    }


def _photo_extras(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, Photo)
    return {"upload.status": row.status.value, "upload.message": row.status_message}


def _no_extras(row: SyncedRecord) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Collection:
    """How one collection is stored, validated and shown."""

    name: str
    model: type[SyncedRecord]
    schema: type[BaseModel]
    paths: tuple[str, ...]
    extras: Callable[[SyncedRecord], dict[str, Any]]

    @property
    def is_child(self) -> bool:
        """Property items, kits and photos hang off a visit."""
        return self.name != "visits"

    def current_fields(self, row: SyncedRecord) -> dict[str, Any]:
        """The fields ever written on a row, as JSON (unwritten fields are absent, not null)."""
        written = row.field_revs
        return {
            path: wire_value(getattr(row, column_for(path)))
            for path in self.paths
            if path in written
        }

    def wire_record(self, row: SyncedRecord) -> dict[str, Any]:
        """The flat record a pull delivers: written fields plus read-only server facts."""
        return {**self.current_fields(row), **self.extras(row)}

    def columns(self, model: BaseModel, paths: Iterable[str]) -> dict[str, Any]:
        """Column values for the given paths, taken from a validated model instance."""
        values: dict[str, Any] = {}
        for path in paths:
            value: Any = model
            for part in path.split("."):
                value = getattr(value, part)
            if isinstance(value, list):
                value = to_jsonable_python(value)
            elif path == "visit_id" and value is not None:
                value = str(value).lower()
            values[column_for(path)] = value
        return values


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("visits", Visit, VisitRecord, tuple(leaf_paths(VisitRecord)), _visit_extras),
        Collection(
            "property_items",
            PropertyItem,
            PropertyItemRecord,
            tuple(leaf_paths(PropertyItemRecord)),
            _no_extras,
        ),
        Collection(
            "kit_issues", KitIssue, KitIssueRecord, tuple(leaf_paths(KitIssueRecord)), _no_extras
        ),
        Collection("photos", Photo, PhotoRecord, tuple(leaf_paths(PhotoRecord)), _photo_extras),
    )
}
