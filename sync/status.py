"""The visit status state machine and the officer edit lock.

    draft --officer--> completed --supervisor--> approved
                        |    ^
          supervisor    |    | officer
          (with note)   v    |
                       returned

A completed or approved visit is locked for the officer; only a supervisor's
return unlocks it. Nobody approves their own visit.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from .canonical import JSONValue, json_equal
from .errors import SyncError
from .merge import RecordState


class VisitStatus(StrEnum):
    """The four visit statuses."""

    DRAFT = "draft"
    COMPLETED = "completed"
    RETURNED = "returned"
    APPROVED = "approved"


class Role(StrEnum):
    """Actor roles that matter to the state machine."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # Reads the audit log (who did what to which record, when); never victims' data, no sync.
    AUDITOR = "auditor"


STATUS_PATH = "status"
REVIEW_NOTE_PATH = "review.note"
INITIAL_STATUS = VisitStatus.DRAFT
EDITABLE_BY_OFFICER = frozenset({VisitStatus.DRAFT, VisitStatus.RETURNED})

# (from, to) -> the one role allowed to take that edge.
TRANSITIONS: Mapping[tuple[VisitStatus, VisitStatus], Role] = {
    (VisitStatus.DRAFT, VisitStatus.COMPLETED): Role.OFFICER,
    (VisitStatus.RETURNED, VisitStatus.COMPLETED): Role.OFFICER,
    (VisitStatus.COMPLETED, VisitStatus.RETURNED): Role.SUPERVISOR,
    (VisitStatus.COMPLETED, VisitStatus.APPROVED): Role.SUPERVISOR,
}


def _status(value: object, which: str) -> VisitStatus:
    if isinstance(value, str) and value in VisitStatus.__members__.values():
        return VisitStatus(value)
    raise SyncError(
        "invalid_transition",
        f"{which} status {value!r} is not one of draft, completed, returned, approved",
        {"field": STATUS_PATH, which: value if isinstance(value, str) else None},
    )


def check_transition(
    current: str | None,
    target: str,
    actor_role: str,
    is_owner: bool,
    note: str | None = None,
) -> None:
    """Allow a status change or raise `invalid_transition`, `forbidden` or `note_required`."""
    # A record that does not exist yet starts as a draft, so "create as
    # completed" is checked as draft -> completed.
    src = INITIAL_STATUS if current is None else _status(current, "from")
    dst = _status(target, "to")
    if src == dst:
        return  # not a transition; equal values never conflict either
    details: dict[str, JSONValue] = {"field": STATUS_PATH, "from": src, "to": dst}
    allowed_role = TRANSITIONS.get((src, dst))
    if allowed_role is None:
        raise SyncError("invalid_transition", f"a visit cannot go from {src} to {dst}", details)
    if actor_role != allowed_role:
        raise SyncError(
            "forbidden",
            f"only a {allowed_role} may move a visit from {src} to {dst}",
            {**details, "reason": "role"},
        )
    if allowed_role is Role.OFFICER and not is_owner:
        raise SyncError(
            "forbidden",
            "only the visit's own officer may complete it",
            {**details, "reason": "not_owner"},
        )
    if dst is VisitStatus.APPROVED and is_owner:
        raise SyncError(
            "forbidden",
            "nobody may approve their own visit",
            {**details, "reason": "own_visit"},
        )
    if dst is VisitStatus.RETURNED and (note is None or not note.strip()):
        raise SyncError(
            "note_required",
            "returning a visit needs a note for the officer",
            {"field": REVIEW_NOTE_PATH},
        )


def officer_may_edit(status: str | None) -> bool:
    """True when an officer may edit the visit (draft or returned, or not yet created)."""
    if status is None:
        return True
    return status in EDITABLE_BY_OFFICER


def current_status(state: RecordState | None) -> str | None:
    """The visit's status, None if it does not exist yet (a stored visit lacking one is a draft)."""
    if state is None:
        return None
    value = state.fields.get(STATUS_PATH, INITIAL_STATUS.value)
    return value if isinstance(value, str) else INITIAL_STATUS.value


def check_visit_put(
    state: RecordState | None,
    fields: Mapping[str, JSONValue],
    actor_role: str,
    is_owner: bool,
) -> None:
    """Check a put on a visit: status transition and the officer edit lock."""
    status = current_status(state)
    current_fields: Mapping[str, JSONValue] = {} if state is None else state.fields
    # Only real changes count: re-sending an unchanged value to a locked visit
    # (a stale retry, say) is harmless and must not be refused.
    edits = sorted(
        p
        for p, v in fields.items()
        if p != STATUS_PATH and (p not in current_fields or not json_equal(current_fields[p], v))
    )
    if edits and actor_role == Role.OFFICER and not officer_may_edit(status):
        raise SyncError(
            "visit_locked",
            f"the visit is {status}; an officer cannot edit it until it is returned",
            {"field": edits[0], "status": status},
        )
    if STATUS_PATH in fields:
        target = fields[STATUS_PATH]
        if not isinstance(target, str):
            raise SyncError(
                "invalid_transition",
                "status must be a string",
                {"field": STATUS_PATH},
            )
        note = fields.get(REVIEW_NOTE_PATH)
        check_transition(
            status,
            target,
            actor_role,
            is_owner,
            note if isinstance(note, str) else None,
        )
