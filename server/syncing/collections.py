"""The synchronised collections: their table, their edge schema, their wire form, their scope.

Every field a client may write is a dotted path of the collection's schema, stored in the
column of the same name with dots as underscores. Server-kept facts (a visit's review note, a
photo's verification) travel to the phone as read-only paths. Reports are pull-only: their
paths come from the force's crime system, and a push to them is refused ``read_only``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property, lru_cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from tortoise.expressions import Q

from server.advice.models import AdviceItem
from server.advice.schemas import AdviceItemRecord
from server.advice.service import advice_record
from server.aftercare.records import SYNCED as AFTERCARE
from server.auth.principal import Principal
from server.auth.scope import report_scope, visit_scope
from server.feed import SyncedRecord, column_for
from server.photos.models import Photo
from server.photos.schemas import PhotoRecord
from server.reports.models import Report
from server.reports.schemas import ReportRecord
from server.settings import Settings
from server.visits.models import KitIssue, PropertyItem, Visit
from server.visits.schemas import (
    KitIssueRecord,
    PropertyItemRecord,
    VisitRecord,
    leaf_paths,
)

_AS_IS = frozenset({str, int, float, bool, type(None)})


def wire_value(value: Any) -> Any:
    """A stored value as JSON, in exactly the form validation produces (so equality works)."""
    if type(value) in _AS_IS:  # already JSON (subclasses such as enums are converted)
        return value
    if isinstance(value, Enum) and type(value.value) in _AS_IS:
        return value.value  # what pydantic makes of an enum, without the call into it
    return to_jsonable_python(value)


@lru_cache(maxsize=4096)
def path_parts(path: str) -> tuple[str, ...]:
    """A dotted path's segments (``address.postcode`` -> ``("address", "postcode")``), split
    once: a push walks the same few dozen paths for every mutation."""
    return tuple(path.split("."))


def attribute_at(model: BaseModel, path: str) -> Any:
    """The value at a dotted path of a validated model, as the model holds it."""
    value: Any = model
    for part in path_parts(path):
        value = getattr(value, part)
    return value


def _visit_extras(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, Visit)
    return {
        "review.note": row.review_note,
        "meta.officer_id": str(row.officer_id),  # type: ignore[attr-defined]
        "meta.completed_at": wire_value(row.completed_at),
        "meta.repeat_victim": row.repeat_computed,
    }


def _photo_extras(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, Photo)
    return {"upload.status": row.status.value, "upload.message": row.status_message}


def _report_extras(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, Report)
    officer, visit = row.officer_id, row.linked_visit_id  # type: ignore[attr-defined]
    return {
        "state": row.state.value,
        "assigned.officer_id": str(officer) if officer else None,
        "assigned.team_id": row.team_id,  # type: ignore[attr-defined]
        "assigned.at": wire_value(row.assigned_at),
        "link.visit_id": str(visit) if visit else None,
        "repeat.computed": row.repeat_computed,
    }


def _no_extras(row: SyncedRecord) -> dict[str, Any]:
    return {}


def _advice_fields(row: SyncedRecord) -> dict[str, Any]:
    assert isinstance(row, AdviceItem)
    return advice_record(row).model_dump()


@dataclass(frozen=True)
class Collection:
    """How one collection is stored, validated, shown and scoped."""

    name: str
    model: type[SyncedRecord]
    schema: type[BaseModel]
    paths: tuple[str, ...]
    extras: Callable[[SyncedRecord], dict[str, Any]]
    # Whose records these are: a visit's own ("visit"); its visit's ("child"); a report's own
    # rule ("report": from the force's crime system); or reference data every officer's phone
    # keeps ("everyone": the advice catalogue). Reports and reference data are pull-only.
    kind: Literal["visit", "child", "report", "everyone"] = "child"

    @property
    def is_child(self) -> bool:
        """Property items, kits, photos and aftercare records hang off a visit."""
        return self.kind == "child"

    @property
    def pushable(self) -> bool:
        """Whether phones write it (reports and reference data are refused ``read_only``)."""
        return self.kind in ("visit", "child")

    def readable_by(self, principal: Principal, settings: Settings) -> Q:
        """Which of its records a reader's pull may deliver (``server.auth.scope``)."""
        if self.kind == "everyone":
            return Q()
        if self.kind == "report":
            return report_scope(principal, settings)
        return visit_scope(principal, settings, "visit__" if self.is_child else "")

    @cached_property
    def path_set(self) -> frozenset[str]:
        """Its dotted paths: schema leaves, so each is a valid path and none is another's
        prefix (``tests/server/syncing/test_collections.py``)."""
        return frozenset(self.paths)

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
            value = attribute_at(model, path)
            if isinstance(value, list):
                value = to_jsonable_python(value)
            elif path == "visit_id" and value is not None:
                value = str(value).lower()
            values[column_for(path)] = value
        return values


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection(
            "visits", Visit, VisitRecord, tuple(leaf_paths(VisitRecord)), _visit_extras, "visit"
        ),
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
        # Addenda, victim updates, survey responses, leave-behinds (server/aftercare/).
        *(Collection(n, m, s, tuple(leaf_paths(s)), x) for n, m, s, x in AFTERCARE),
        Collection(
            "reports",
            Report,
            ReportRecord,
            tuple(leaf_paths(ReportRecord)),
            _report_extras,
            "report",
        ),
        # The advice catalogue (server/advice/): every version, read-only on the phone.
        Collection("advice_items", AdviceItem, AdviceItemRecord, (), _advice_fields, "everyone"),
    )
}
