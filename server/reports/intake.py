"""Intake: reported burglaries from the force's crime system, one batch in one transaction.

Both ways in - ``POST /api/reports`` (an integration) and ``doorstep import-reports FILE.csv``
- come here with their rows. Each row is validated like a visit (a bad row is refused with its
row and field; the good rows are kept), filed under its team or area, and then created, or
amended when a report with the same crime reference exists: the crime reference is the key,
so a retried batch changes nothing. A report whose crime reference matches a visit already
started is linked to it. Everything is recorded through the change feed, with an audit entry
per report written and one for the call.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from pydantic import ValidationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import ServiceUnavailable, validation_problems
from server.feed import lock_records, record_changes
from server.org.models import Area, Team
from server.org.service import code_of
from server.reports.addresses import (
    AddressBook,
    Burglary,
    is_repeat,
    line_key,
    window_start,
)
from server.reports.enums import IntakeOutcome, ReportState
from server.reports.linking import link
from server.reports.models import Report
from server.reports.records import ReportView, record_values
from server.reports.schemas import IntakeResult, ReportIn, RowProblem, RowResult
from server.visits.models import Visit

log = logging.getLogger("doorstep.intake")
# A report "reported" later than this ahead of the server's clock is refused.
_CLOCK_SKEW = timedelta(minutes=10)
_EARLIEST_YEAR = 2000
_ATTEMPTS = 4
_RETRYABLE = (
    IntegrityError,
    OperationalError,
    TransactionManagementError,
    asyncpg.exceptions.TransactionRollbackError,
)
_ADDRESS = ("address.line1", "address.postcode", "reference.reported_at")


@dataclass
class IntakeRow:
    """One row to take in: its number (API index or CSV line), its data, and any problems
    found before validation (a CSV cell that could not be read)."""

    number: int
    data: Any
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class _Valid:
    number: int
    report: ReportIn
    area_id: int
    team_id: int | None


def _crime_reference(data: Any) -> str | None:
    """The row's crime reference as sent (an identifier, never personal data), if readable."""
    reference = data.get("reference") if isinstance(data, dict) else None
    value = reference.get("crime_reference") if isinstance(reference, dict) else None
    return value.strip().upper() if isinstance(value, str) and len(value) <= 40 else None


def _refused(row: IntakeRow, problems: list[RowProblem]) -> RowResult:
    return RowResult(
        row=row.number,
        crime_reference=_crime_reference(row.data),
        outcome=IntakeOutcome.REFUSED,
        problems=problems,
    )


async def _placed(report: ReportIn) -> tuple[int, int | None] | RowProblem:
    """The area and team a report belongs to, from the names it gives."""
    if report.team is not None:
        team = await Team.get_or_none(code=code_of(report.team)).select_related("area")
        if team is None:
            return RowProblem(field="team", message="no such team in Doorstep")
        if report.area is not None and team.area.code != code_of(report.area):
            return RowProblem(field="area", message=f"team {team.name} is in {team.area.name}")
        return team.area.id, team.id
    if report.area is None:
        return RowProblem(field="team", message="name the team or the area it belongs to")
    area = await Area.get_or_none(code=code_of(report.area))
    if area is None:
        return RowProblem(field="area", message="no such area in Doorstep")
    return area.id, None


async def _validate(rows: Sequence[IntakeRow], ctx: RequestContext) -> list[_Valid | RowResult]:
    context = {"crime_reference_pattern": ctx.settings.crime_reference_pattern}
    checked: list[_Valid | RowResult] = []
    for row in rows:
        try:
            report = ReportIn.model_validate(row.data, context=context)
        except ValidationError as exc:
            # Problems found before validation (an unreadable cell) come first; that cell
            # was left out, so a "required" problem about it is not repeated.
            known = {p.field for p in row.problems}
            problems = row.problems + [
                RowProblem(field=p["field"], message=p["message"])
                for p in validation_problems(exc)
                if p["field"] not in known
            ]
            checked.append(_refused(row, problems))
            continue
        if row.problems:
            checked.append(_refused(row, row.problems))
            continue
        reported_at = report.reference.reported_at
        if reported_at > ctx.now + _CLOCK_SKEW or reported_at.year < _EARLIEST_YEAR:
            message = "is in the future" if reported_at > ctx.now else "is before 2000"
            problem = RowProblem(field="reference.reported_at", message=message)
            checked.append(_refused(row, [problem]))
            continue
        placed = await _placed(report)
        if isinstance(placed, RowProblem):
            checked.append(_refused(row, [placed]))
            continue
        checked.append(_Valid(row.number, report, *placed))
    return checked


async def intake(
    rows: Sequence[IntakeRow], *, ctx: RequestContext, author: str, reason: str
) -> IntakeResult:
    """Validate, file and store a batch; every row gets an outcome. ``author`` names the
    source in revisions (``integration:<id>``, ``import``); ``reason`` goes in the audit."""
    checked = await _validate(rows, ctx)
    valid = [c for c in checked if isinstance(c, _Valid)]
    stored: dict[int, RowResult] = {}
    if valid:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                stored = await _store(valid, ctx=ctx, author=author, reason=reason)
                break
            except _RETRYABLE as exc:
                log.warning(
                    "intake retried", extra={"attempt": attempt, "error": type(exc).__name__}
                )
        else:
            raise ServiceUnavailable(headers={"Retry-After": "2"})
    results = [stored[c.number] if isinstance(c, _Valid) else c for c in checked]
    counts = {o: sum(r.outcome is o for r in results) for o in IntakeOutcome}
    log.info(
        "intake",
        extra={"request_id": ctx.request_id, **{o.value: n for o, n in counts.items()}},
    )
    return IntakeResult(
        received=len(results),
        created=counts[IntakeOutcome.CREATED],
        amended=counts[IntakeOutcome.AMENDED],
        unchanged=counts[IntakeOutcome.UNCHANGED],
        stale=counts[IntakeOutcome.STALE],
        refused=counts[IntakeOutcome.REFUSED],
        results=results,
    )


async def _store(
    valid: list[_Valid], *, ctx: RequestContext, author: str, reason: str
) -> dict[int, RowResult]:
    refs = sorted({v.report.reference.crime_reference for v in valid})
    async with in_transaction() as connection:
        reports = Report.filter(reference_crime_reference__in=refs).using_db(connection)
        report_ids = _ids(await reports.values_list("id", flat=True))
        started = Visit.filter(reference_crime_reference__in=refs, deleted=False)
        visit_ids = _ids(await started.using_db(connection).values_list("id", flat=True))
        # Visits first, then reports: the feed's lock order.
        locked = await lock_records(connection, {Visit: visit_ids, Report: report_ids})
        views = {
            row.reference_crime_reference: ReportView.of(row)
            for row in locked.values()
            if isinstance(row, Report)
        }
        visits = sorted(
            (row for row in locked.values() if isinstance(row, Visit)),
            key=lambda v: (v.completed_at is None, v.created_at, str(v.id)),
        )
        taken = {v.get("linked_visit_id") for v in views.values()} - {None}
        linked = Report.filter(linked_visit_id__in=[v.id for v in visits]).using_db(connection)
        taken |= set(_ids(await linked.values_list("linked_visit_id", flat=True)))
        results: dict[int, RowResult] = {}
        flag: list[ReportView] = []
        for item in valid:
            ref = item.report.reference.crime_reference
            view = views.get(ref)
            if view is None:
                view = views[ref] = ReportView.new(uuid.uuid4())
            outcome, changed = _take(view, item, ctx=ctx, author=author)
            if outcome in (IntakeOutcome.CREATED, IntakeOutcome.AMENDED):
                _link(view, visits, taken, ctx, author)
                if outcome is IntakeOutcome.CREATED or set(changed) & set(_ADDRESS):
                    flag.append(view)
            results[item.number] = RowResult(
                row=item.number,
                crime_reference=ref,
                outcome=outcome,
                id=str(view.id),
                changed=changed if outcome is IntakeOutcome.AMENDED else [],
            )
        await _flag_repeats(connection, list({v.id: v for v in flag}.values()))
        changes = [c for v in views.values() if (c := v.change()) is not None]
        exits = [e for v in views.values() if (e := v.exit()) is not None]
        audit = [
            ctx.audit(
                AuditAction.COLLECT if change.create else AuditAction.ALTER,
                record_type="reports",
                record_id=change.record_id,
                reason=reason,
            )
            for change in changes
        ]
        audit.append(
            ctx.audit(
                AuditAction.COLLECT,
                record_type="intake",
                record_id=ctx.integration.id if ctx.integration else "",
                reason=f"{reason}: {len(valid)} rows stored or unchanged",
            )
        )
        await record_changes(connection, changes, exits=exits, audit=audit, now=ctx.now)
    return results


def _ids(values: Any) -> list[uuid.UUID]:
    return [uuid.UUID(str(value)) for value in values]


def _take(
    view: ReportView, item: _Valid, *, ctx: RequestContext, author: str
) -> tuple[IntakeOutcome, list[str]]:
    """Create or amend one report in the view; what happened and the paths it changed."""
    report = item.report
    held = view.get("source_updated_at")
    if report.updated_at is not None and held is not None and report.updated_at < held:
        return IntakeOutcome.STALE, []
    fields = record_values(report)
    facts: dict[str, Any] = {}
    # Where it belongs moves with the crime system only until somebody is assigned.
    if view.get("assigned_at") is None:
        facts.update(area_id=item.area_id, team_id=item.team_id)
    created = view.row is None and view.rev == 0
    changed = view.diff(fields, facts)
    if not changed:
        return IntakeOutcome.UNCHANGED, []
    if report.updated_at is not None:
        facts["source_updated_at"] = report.updated_at
    view.write("intake", author=author, actor_id=_actor(ctx), fields=fields, facts=facts)
    return (IntakeOutcome.CREATED if created else IntakeOutcome.AMENDED), changed


def _actor(ctx: RequestContext) -> uuid.UUID | None:
    """The officer behind a revision: an administrator at the command line, if named. An
    integration is no officer: ``author`` (``integration:<id>``) names it instead."""
    return None if ctx.integration else ctx.actor_id


def _link(
    view: ReportView, visits: list[Visit], taken: set[Any], ctx: RequestContext, author: str
) -> None:
    """Link a report to a visit started with its crime reference, if one is free."""
    if view.get("linked_visit_id") is not None or view.state is ReportState.CLOSED:
        return
    ref = view.get("reference.crime_reference")
    for visit in visits:
        if visit.reference_crime_reference == ref and visit.id not in taken:
            officer = visit.officer_id  # type: ignore[attr-defined]
            link(
                view,
                visit.id,
                officer,
                visit.status,
                now=ctx.now,
                author=author,
                actor_id=_actor(ctx),
            )
            taken.add(visit.id)
            return


def _burglary(view: ReportView) -> Burglary:
    at = view.get("reference.reported_at")
    return Burglary("report", view.id, view.get("reference.crime_reference"), at, view)


async def _flag_repeats(connection: BaseDBAsyncClient, views: list[ReportView]) -> None:
    """The server's repeat flag of each report taken in: earlier burglaries at its address,
    in the database or earlier in this batch."""
    addresses = AddressBook(connection)
    await addresses.load((v.get("address.postcode"), v.get("address.line1")) for v in views)
    for view in views:
        postcode, line1 = view.get("address.postcode"), view.get("address.line1")
        at = view.get("reference.reported_at")
        since = window_start(at)
        stored = await addresses.earlier(postcode, line1, since, at)
        batch = [
            _burglary(other)
            for other in views
            if other is not view
            and other.get("address.postcode") == postcode
            and line_key(other.get("address.line1")) == line_key(line1)
            and since <= other.get("reference.reported_at") < at
        ]
        batch_ids = {b.id for b in batch}
        earlier = [b for b in stored if b.id not in batch_ids] + batch
        own = [view.id] + ([view.get("linked_visit_id")] if view.get("linked_visit_id") else [])
        flag = is_repeat(earlier, view.get("reference.crime_reference"), own)
        view.write("repeat", author="server", facts={"repeat_computed": flag})
