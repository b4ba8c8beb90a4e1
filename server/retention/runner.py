"""``doorstep retention``: what the policy would erase now (``--dry-run``), or erasing it.

A dry run reports counts by state and nothing else: no ids, no names, nothing a log or a
terminal should not hold. An apply run first retries photo objects an earlier erasure could
not remove, then erases each due visit in its own transaction (a failure stops the run and
leaves the rest for the next), as the system (no actor), with a reason naming the rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from server.context import RequestContext
from server.photos.store import PhotoStore
from server.retention.erasure import erase_visit
from server.retention.models import ErasureObject
from server.retention.objects import remove_objects
from server.retention.policy import Period, State, due, due_counts, periods

BATCH = 100


@dataclass
class RetentionReport:
    """What a run found (``due``) and, when applied, what it erased."""

    periods: list[Period]
    due: dict[State, int]
    applied: bool = False
    erased: dict[State, int] = field(default_factory=dict)
    records: int = 0
    objects_removed: int = 0
    objects_pending: int = 0


async def run_retention(*, ctx: RequestContext, store: PhotoStore, apply: bool) -> RetentionReport:
    """Report (and with ``apply``, erase) the visits past their retention period at ``ctx.now``."""
    policy = periods(ctx.settings)
    report = RetentionReport(policy, await due_counts(ctx.settings, ctx.now), applied=apply)
    if not apply:
        report.objects_pending = await ErasureObject.all().count()
        return report
    report.objects_removed, _ = await remove_objects(store)
    for period in policy:
        report.erased[period.state] = 0
        query = due(period, ctx.now)
        if query is None:
            continue
        why = f"retention: {period.state} kept {period.days} days from {period.measured_from}"
        while ids := await query.order_by("id").limit(BATCH).values_list("id", flat=True):
            for visit_id in ids:
                erased = await erase_visit(uuid.UUID(str(visit_id)), why, ctx=ctx, store=store)
                report.erased[period.state] += 1
                report.records += sum(erased.records.values())
                report.objects_removed += erased.objects_removed
    report.objects_pending = await ErasureObject.all().count()
    return report
