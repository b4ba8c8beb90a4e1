"""Linking a visit to its report, and what the visit's progress does to the report.

The link itself is kept on the report (``linked_visit``): one visit per report. It is made

- by the phone: the visit's ``reference.report_id`` names the report it was started from
  (checked here: the report exists, is in the officer's report scope, is not closed and not
  linked to another visit; once set the path cannot change);
- by the server, when a report and a visit share a crime reference: at intake (a visit started
  blank is linked when its report arrives) and at push (a visit whose crime reference is
  typed after its report arrived).

Linking assigns the report to the visit's officer. The report is ``in_progress`` while its
visit is a draft and ``visited`` once the officer completes it (drafts are not visits); a
deleted draft unlinks it (``awaiting`` again, still assigned). ``PushLinks`` does this for a
push: it loads and locks the reports after the push has locked its visits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.principal import Principal
from server.auth.scope import report_scope_rule
from server.context import RequestContext
from server.feed import Change, ScopeExitNote, lock_records
from server.reports.addresses import AddressBook
from server.reports.enums import ReportState
from server.reports.models import Report
from server.reports.records import ReportView
from server.rows import execute, is_postgres
from server.settings import Settings
from server.visits.enums import VisitStatus
from sync import SyncError

LINK_PATH = "reference.report_id"
# A visit the officer has completed (a returned one too: the officer was at the door).
_VISITED = {VisitStatus.COMPLETED.value, VisitStatus.RETURNED.value, VisitStatus.APPROVED.value}


def visited(status: object) -> bool:
    """Whether a visit in this status counts as a visit (drafts do not)."""
    return str(getattr(status, "value", status)) in _VISITED


def link(
    view: ReportView,
    visit_id: uuid.UUID,
    officer_id: uuid.UUID,
    status: object,
    *,
    now: datetime,
    author: str,
    actor_id: uuid.UUID | None,
) -> list[str]:
    """Link the report to a visit and assign it to the visit's officer."""
    facts: dict[str, Any] = {
        "linked_visit_id": visit_id,
        "officer_id": officer_id,
        "state": (ReportState.VISITED if visited(status) else ReportState.IN_PROGRESS).value,
    }
    if view.get("assigned_at") is None:
        facts["assigned_at"] = now
    return view.write("link", facts=facts, author=author, actor_id=actor_id)


def linkable(view: ReportView, visit_id: uuid.UUID) -> bool:
    """Whether this report may be linked to this visit (open, and not linked to another)."""
    current = view.get("linked_visit_id")
    return view.state is not ReportState.CLOSED and current in (None, visit_id)


# A visit's repeat flag is computed again when one of these changes.
REPEAT_INPUTS = frozenset({"address.line1", "address.postcode", "reference.reported_at"})


@dataclass
class PushLinks:
    """The reports one push may touch (locked after its visits) and what it did to them."""

    principal: Principal
    settings: Settings
    views: dict[uuid.UUID, ReportView] = field(default_factory=dict)
    # visit id -> the report linked to it (as stored, then as this push leaves it)
    by_visit: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    # report id -> the visit that asked for it in this push (so two cannot claim one)
    claims: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    repeat: dict[uuid.UUID, bool] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    addresses: AddressBook | None = None

    @classmethod
    async def load(
        cls,
        connection: BaseDBAsyncClient,
        *,
        ctx: RequestContext,
        visit_ids: set[uuid.UUID],
        report_ids: set[uuid.UUID],
        crime_references: set[str],
    ) -> PushLinks:
        """Lock the reports linked to these (stored) visits, named by the push's visits, or
        sharing their crime references.

        Called once the push holds its visits: reports rank after them in the lock order.
        """
        links = cls(ctx.caller, ctx.settings)
        wanted = set(report_ids)
        if visit_ids or crime_references:
            found = await _matching_reports(connection, visit_ids, crime_references)
            wanted |= {uuid.UUID(str(i)) for i in found}
        if not wanted:
            return links
        rows = await lock_records(connection, {Report: wanted})
        for (_, report_id), row in rows.items():
            assert isinstance(row, Report)
            links.views[report_id] = ReportView.of(row)
            if row.linked_visit_id is not None:  # type: ignore[attr-defined]
                links.by_visit[uuid.UUID(str(row.linked_visit_id))] = report_id  # type: ignore[attr-defined]
        return links

    def check(self, visit_id: uuid.UUID, current: Any, asked: Any) -> None:
        """Refuse a visit's ``reference.report_id`` the officer may not set (a SyncError)."""
        if asked is None and current is None:
            return
        if current is not None and str(asked) != str(current):
            raise SyncError(
                "immutable_field",
                f"{LINK_PATH} cannot change once the visit is linked to a report",
                {"field": LINK_PATH},
            )
        view = self.views.get(uuid.UUID(str(asked)))
        rule = report_scope_rule(self.principal, self.settings)
        if view is None or not rule.admits(view.scope_columns()):
            raise SyncError("not_found", "No such report.", {"field": LINK_PATH})
        if view.state is ReportState.CLOSED:
            raise SyncError(
                "report_closed", "That report was closed without a visit.", {"field": LINK_PATH}
            )
        if not linkable(view, visit_id) or self.claims.get(view.id, visit_id) != visit_id:
            raise SyncError(
                "report_linked", "That report is linked to another visit.", {"field": LINK_PATH}
            )
        if self.by_visit.get(visit_id, view.id) != view.id:
            raise SyncError(
                "visit_linked",
                "This visit is already linked to another report (same crime reference).",
                {"field": LINK_PATH},
            )
        self.claims[view.id] = visit_id

    async def settle(
        self,
        connection: BaseDBAsyncClient,
        visit_id: uuid.UUID,
        fields: dict[str, Any],
        *,
        officer_id: uuid.UUID,
        deleted: bool,
        created_at: datetime | None,
        changed: set[str],
        ctx: RequestContext,
        author: str,
    ) -> None:
        """Bring the reports in line with a visit as this push leaves it."""
        actor = self.principal.officer_id
        linked = self.by_visit.get(visit_id)
        if deleted:
            if linked is not None:
                view = self.views[linked]
                view.write(
                    "unlink",
                    facts={"linked_visit_id": None, "state": ReportState.AWAITING.value},
                    author=author,
                    actor_id=actor,
                )
                del self.by_visit[visit_id]
            return
        status = fields.get("status", VisitStatus.DRAFT.value)
        asked = fields.get(LINK_PATH)
        if linked is None:
            linked = self._match(visit_id, asked, fields.get("reference.crime_reference"))
        target = self.views.get(linked) if linked is not None else None
        if target is not None and linkable(target, visit_id):
            link(target, visit_id, officer_id, status, now=ctx.now, author=author, actor_id=actor)
            self.by_visit[visit_id] = target.id
        if changed & REPEAT_INPUTS:
            if self.addresses is None:
                self.addresses = AddressBook(connection)
            self.repeat[visit_id] = await _visit_repeat(
                self.addresses, visit_id, fields, created_at or ctx.now, linked
            )

    async def read_addresses(
        self, connection: BaseDBAsyncClient, visits: Iterable[tuple[Mapping[str, Any], set[str]]]
    ) -> None:
        """Read, in one go, the earlier burglaries at the addresses of the visits (fields and
        changed paths) whose repeat flag ``settle`` will compute."""
        wanted = [
            (fields.get("address.postcode"), fields.get("address.line1"))
            for fields, changed in visits
            if changed & REPEAT_INPUTS
        ]
        if wanted:
            if self.addresses is None:
                self.addresses = AddressBook(connection)
            await self.addresses.load(wanted)

    def _match(self, visit_id: uuid.UUID, asked: Any, crime_reference: Any) -> uuid.UUID | None:
        if asked is not None:
            return uuid.UUID(str(asked))
        if not crime_reference:
            return None
        taken = set(self.by_visit.values()) | {r for r, v in self.claims.items() if v != visit_id}
        for view in sorted(self.views.values(), key=lambda v: str(v.id)):
            if (
                view.get("reference.crime_reference") == crime_reference
                and view.id not in taken
                and linkable(view, visit_id)
            ):
                return view.id
        return None

    def feed(self, ctx: RequestContext) -> tuple[list[Change], list[ScopeExitNote]]:
        """The report changes and exits this push made, with their audit entries noted."""
        changes, exits = [], []
        for view in self.views.values():
            change = view.change()
            if change is None:
                continue
            changes.append(change)
            if (note := view.exit()) is not None:
                exits.append(note)
            ops = ", ".join(sorted({n.op for n in view.notes}))
            self.audit.append(
                ctx.audit(AuditAction.ALTER, record_type="reports", record_id=view.id, reason=ops)
            )
        return changes, exits


# One statement text whatever the batch (asyncpg prepares it once per connection).
_MATCHING_REPORTS = (
    "SELECT coalesce(array_agg(id), '{}') FROM report "
    "WHERE linked_visit_id = ANY($1::uuid[]) OR reference_crime_reference = ANY($2::text[])"
)


async def _matching_reports(
    connection: BaseDBAsyncClient, visit_ids: set[uuid.UUID], crime_references: set[str]
) -> list[Any]:
    """The ids of the reports linked to these visits or holding these crime references."""
    if is_postgres(connection):
        found = await execute(
            connection, _MATCHING_REPORTS, list(visit_ids), list(crime_references)
        )
        return list(found)
    matching = []  # only conditions that can match: an empty IN cannot
    if visit_ids:
        matching.append(Q(linked_visit_id__in=sorted(visit_ids)))
    if crime_references:
        matching.append(Q(reference_crime_reference__in=sorted(crime_references)))
    query = Report.filter(Q(*matching, join_type=Q.OR))
    return list(await query.using_db(connection).values_list("id", flat=True))


async def _visit_repeat(
    addresses: AddressBook,
    visit_id: uuid.UUID,
    fields: dict[str, Any],
    created_at: datetime,
    report_id: uuid.UUID | None,
) -> bool:
    postcode, line1 = fields.get("address.postcode"), fields.get("address.line1")
    if not postcode or not line1:
        return False
    at = fields.get("reference.reported_at")
    when = datetime.fromisoformat(str(at)) if at else created_at
    own = [visit_id] + ([report_id] if report_id else [])
    crime_reference = fields.get("reference.crime_reference")
    return await addresses.repeat_before(postcode, line1, when, crime_reference, own)
