"""When a visit's child records may be written: one rule per collection, by visit status.

Property items, kits and photos are part of the visit and change only while it is editable
(draft or returned). Aftercare records (``server/aftercare/``) follow the sealed visit without
reopening it, and are append-only: evidence and what a victim was told are never edited
away; a correction is a new record. ``sync/PROTOCOL.md`` section 14 states these rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.visits.enums import VisitStatus
from sync import SyncError


@dataclass(frozen=True)
class ChildRule:
    """Which statuses of its visit let a child record be written, and what a refusal says.

    Append-only records (aftercare: evidence and what a victim was told) are created once and
    never changed or deleted: a correction is a new record. They carry their author.
    """

    open_in: frozenset[str]
    refusal: tuple[str, str]
    append_only: bool = False


_EDITABLE = frozenset({VisitStatus.DRAFT.value, VisitStatus.RETURNED.value})
_SEALED = frozenset({VisitStatus.COMPLETED.value, VisitStatus.APPROVED.value})
_LOCKED = (
    "visit_locked",
    "The visit is completed: its records cannot change until it is returned.",
)
_AFTER_COMPLETION = (
    "visit_not_completed",
    "This follows a completed visit: complete the visit first.",
)
CHILD_RULES: dict[str, ChildRule] = {
    "property_items": ChildRule(_EDITABLE, _LOCKED),
    "kit_issues": ChildRule(_EDITABLE, _LOCKED),
    "photos": ChildRule(_EDITABLE, _LOCKED),
    "addenda": ChildRule(
        _SEALED,
        (
            "visit_not_completed",
            "Addenda are for completed or approved visits: while the visit is a draft or "
            "returned, edit the visit instead.",
        ),
        append_only=True,
    ),
    "victim_updates": ChildRule(_SEALED | {VisitStatus.RETURNED.value}, _AFTER_COMPLETION, True),
    "survey_responses": ChildRule(_SEALED | {VisitStatus.RETURNED.value}, _AFTER_COMPLETION, True),
    "leave_behinds": ChildRule(_SEALED | _EDITABLE, _LOCKED, append_only=True),
}
_DEFAULT = ChildRule(_EDITABLE, _LOCKED)
_APPEND_ONLY = (
    "append_only",
    "This record cannot be changed or deleted once made: add a new one instead.",
)


def child_rule(collection: str) -> ChildRule:
    """The rule for a child collection (a new child collection is editable with its visit)."""
    return CHILD_RULES.get(collection, _DEFAULT)


def append_only(record_id: str) -> SyncError:
    """The refusal of a change or delete to an append-only record."""
    return SyncError(*_APPEND_ONLY, {"id": record_id})
