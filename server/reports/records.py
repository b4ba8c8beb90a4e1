"""One report's state inside a writing transaction, and how it becomes a feed change.

Every writer of reports (intake, assignment, closing, linking from a push) loads the locked
rows into a ``ReportView``, writes fields and facts through it (each write that changes
something is one revision), and hands ``change()`` and ``exit()`` to ``record_changes``. The
holder - whose phone has the report - is derived here and only here, so every writer moves
it the same way and the old holder always gets its tombstone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from server.feed import Change, RevisionNote, ScopeExitNote, column_for
from server.reports.enums import ReportState
from server.reports.models import Report
from server.reports.schemas import ReportRecord
from server.visits.schemas import leaf_paths, leaf_value

REPORT_PATHS: tuple[str, ...] = tuple(leaf_paths(ReportRecord))
# The server's own facts about a report (columns, never client paths).
FACTS = (
    "state",
    "area_id",
    "team_id",
    "officer_id",
    "assigned_at",
    "linked_visit_id",
    "close_reason",
    "close_note",
    "closed_at",
    "closed_by_id",
    "repeat_computed",
    "source_updated_at",
)
HOLDER = ("holder_officer_id", "holder_team_id")
Holder = tuple[uuid.UUID | None, int | None]


def holder_of(state: str, officer_id: Any, team_id: Any, assigned_at: Any) -> Holder:
    """Whose phone an assigned, open report is on: its officer, else (team-only) its team."""
    if assigned_at is None or not ReportState(state).is_open:
        return None, None
    if officer_id is not None:
        return uuid.UUID(str(officer_id)), None
    return None, int(team_id) if team_id is not None else None


def record_values(record: BaseModel) -> dict[str, Any]:
    """A validated record as ``{dotted path: storable value}`` (UTC times, plain lists)."""
    return {path: _storable(leaf_value(record, path)) for path in REPORT_PATHS}


def _storable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, list):
        return to_jsonable_python(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _plain(value: Any) -> Any:
    return to_jsonable_python(_storable(value))


@dataclass
class ReportView:
    """A report as this transaction sees it: loaded (locked) or new, and what changed."""

    id: uuid.UUID
    row: Report | None
    values: dict[str, Any]
    rev: int = 0
    field_revs: dict[str, int] = field(default_factory=dict)
    field_authors: dict[str, str] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    notes: list[RevisionNote] = field(default_factory=list)

    @classmethod
    def of(cls, row: Report) -> ReportView:
        """A stored report (locked by the caller)."""
        names = [column_for(p) for p in REPORT_PATHS] + [*FACTS, *HOLDER]
        values = {name: _storable(getattr(row, name)) for name in names}
        return cls(
            row.id,
            row,
            values,
            rev=row.rev,
            field_revs={k: int(v) for k, v in row.field_revs.items()},
            field_authors=dict(row.field_authors),
        )

    @classmethod
    def new(cls, report_id: uuid.UUID) -> ReportView:
        """A report about to be created (its first write is its first revision)."""
        values: dict[str, Any] = dict.fromkeys((*FACTS, *HOLDER))
        values.update(state=ReportState.AWAITING.value, repeat_computed=False)
        return cls(report_id, None, values)

    @property
    def state(self) -> ReportState:
        """Where the report stands in this transaction."""
        return ReportState(self.values["state"])

    def scope_columns(self) -> dict[Any, object]:
        """The columns ``server.auth.scope.report_scope_rule`` reads, as stored."""
        names = ("holder_officer_id", "holder_team_id", "team_id", "area_id")
        return {name: (self.row and getattr(self.row, name)) for name in names}

    def get(self, name: str) -> Any:
        """A path (``address.postcode``) or fact (``officer_id``) as this transaction has it."""
        return self.values.get(column_for(name))

    def diff(
        self, fields: dict[str, Any] | None = None, facts: dict[str, Any] | None = None
    ) -> list[str]:
        """The paths and facts that writing these values would change."""
        given = {**{p: (column_for(p), v) for p, v in (fields or {}).items()}}
        given |= {f: (f, v) for f, v in (facts or {}).items()}
        if self.row is None and self.rev == 0:
            return list(given)
        return [n for n, (c, v) in given.items() if self.values.get(c) != _storable(v)]

    def write(
        self,
        op: str,
        *,
        author: str,
        actor_id: uuid.UUID | None = None,
        fields: dict[str, Any] | None = None,
        facts: dict[str, Any] | None = None,
    ) -> list[str]:
        """Set paths and facts; one revision if anything changed. Returns what changed."""
        changes: dict[str, Any] = {}
        previous: dict[str, Any] = {}
        named = [(path, column_for(path)) for path in fields or {}]
        named += [(fact, fact) for fact in facts or {}]
        given = {**(fields or {}), **(facts or {})}
        for name, column in named:
            value = _storable(given[name])
            if self.row is not None or self.rev > 0:
                if self.values.get(column) == value:
                    continue
                previous[name] = _plain(self.values.get(column))
            changes[name] = _plain(value)
            self.values[column] = value
            self.changed.add(column)
        if not changes:
            return []
        self.rev += 1
        for name in changes:
            if name in REPORT_PATHS:
                self.field_revs[name] = self.rev
                self.field_authors[name] = author
        self.notes.append(
            RevisionNote(
                rev=self.rev,
                op=op,
                changes=changes,
                previous=previous,
                author=author,
                actor_id=actor_id,
            )
        )
        return list(changes)

    def _holder(self) -> Holder:
        v = self.values
        return holder_of(v["state"], v["officer_id"], v["team_id"], v["assigned_at"])

    def change(self) -> Change | None:
        """The feed change for this transaction's writes (None if nothing changed)."""
        if not self.notes:
            return None
        holder_officer, holder_team = self._holder()
        self.values.update(holder_officer_id=holder_officer, holder_team_id=holder_team)
        names = self.values if self.row is None else self.changed
        columns = {name: self.values[name] for name in names}
        columns.update(holder_officer_id=holder_officer, holder_team_id=holder_team)
        columns.update(
            rev=self.rev, field_revs=dict(self.field_revs), field_authors=dict(self.field_authors)
        )
        return Change(Report, self.id, self.id, columns, self.notes, create=self.row is None)

    def exit(self) -> ScopeExitNote | None:
        """A tombstone for the phone(s) that held it, if it left them in this transaction."""
        if self.row is None:
            return None
        old: Holder = (self.row.holder_officer_id, self.row.holder_team_id)
        if old == (None, None) or old == self._holder():
            return None
        return ScopeExitNote("reports", self.id, self.id, old[0], old[1], None)
