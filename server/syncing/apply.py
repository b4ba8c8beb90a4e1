"""One push's mutations authorised, validated and merged in seq order into its view (work.py).

Nothing here writes: ``apply_one`` changes the view (``PushWork.touched``) and collects the
revisions and audit entries that ``server.syncing.push`` records through the change feed.
A mutation refused because the record is not the caller's (another officer's visit, or a
child of one) or because of the caller's role is answered as before and adds a ``denied``
entry to the push's audit list, written with the push.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from pydantic import BaseModel

from server.advice.service import KnownTicks
from server.aftercare.checks import NEW_RECORD_CHECKS
from server.auth.scope import may_read_visit, may_write_visit
from server.feed import Change, RevisionNote, ScopeExitNote, lock_records
from server.org.models import Role
from server.photos.guards import verified_bytes_change
from server.photos.models import Photo
from server.reports.linking import LINK_PATH
from server.syncing import audit
from server.syncing.child_rules import append_only, child_rule
from server.syncing.collections import COLLECTIONS, Collection
from server.syncing.state import state_of, validate_fields, value_at
from server.syncing.work import Pending, PushWork, refused
from server.visits.enums import VisitStatus
from server.visits.schemas import VisitRecord, missing_for_completion
from sync import Mutation, SyncError, apply_mutation, check_visit_put

# Tests turn this off to validate every put twice, as before, as the reference.
VALIDATE_ONCE = True
# A visit's ticked advice: each tick must name a version in the catalogue (server/advice/).
ADVICE_TICKS = "advice.items"


async def _load(work: PushWork, collection: Collection, record_id: uuid.UUID) -> Pending:
    key = (collection.name, record_id)
    if key in work.touched:
        return work.touched[key]
    rows = await lock_records(work.connection, {collection.model: [record_id]})
    row = rows.get((collection.model, record_id))
    pending = Pending(collection, record_id, row, state_of(collection, row) if row else None)
    work.touched[key] = pending
    return pending


async def _visit_for_child(work: PushWork, pending: Pending, m: Mutation) -> Pending:
    """The visit a child record belongs to, which the caller must own and be able to edit."""
    if pending.row is not None:
        visit_id = pending.row.visit_id  # type: ignore[attr-defined]
        asked = m.fields.get("visit_id")
        if asked is not None and str(asked).lower() != str(visit_id):
            raise SyncError(
                "immutable_field",
                "visit_id cannot change once a record is created",
                {"field": "visit_id"},
            )
    elif pending.owner.get("visit_id") is not None:
        visit_id = pending.owner["visit_id"]
    else:
        raw = m.fields.get("visit_id")
        try:
            visit_id = uuid.UUID(str(raw))
        except ValueError as exc:
            raise SyncError(
                "validation_failed",
                "visit_id: a new record must name its visit",
                {"field": "visit_id"},
            ) from exc
    visit = await _load(work, COLLECTIONS["visits"], visit_id)
    not_found = SyncError("not_found", "No such visit.", {"field": "visit_id"})
    if visit.state is None or visit.state.deleted:
        raise not_found
    if not _may_write(work, visit):
        raise refused(work, m, not_found, f"visit {visit_id} is not the caller's")
    return visit


def _visit_owner(pending: Pending) -> Any:
    if pending.row is not None:
        return pending.row.officer_id  # type: ignore[attr-defined]
    return pending.owner.get("officer_id")


def _may_write(work: PushWork, visit: Pending) -> bool:
    return may_write_visit(work.principal, _visit_owner(visit))


def _may_read(work: PushWork, visit: Pending) -> bool:
    if visit.row is None:
        return bool(_visit_owner(visit) == work.principal.officer_id)
    row = visit.row
    return may_read_visit(
        work.principal,
        work.settings,
        row.officer_id,  # type: ignore[attr-defined]
        row.team_id,  # type: ignore[attr-defined]
        row.area_id,  # type: ignore[attr-defined]
    )


def _validate_put(
    work: PushWork, collection: Collection, pending: Pending, m: Mutation, written_whole: bool
) -> tuple[BaseModel | None, dict[str, Any]]:
    """The put's values validated and normalised, and the whole record after it if known.

    One validation of the stored record with the put's fields over it gives both: each edge
    rule checks one field, or fields that are all set (time windows, consent), so whatever
    fails for the put's own fields fails for the whole record too, and the put's normalised
    values are the same either way. Only when that fails (a bad value, or a rule broken with
    the stored fields) are the put's fields validated alone, so the same error, in the same
    order of checks, reaches the right mutation; the whole record is then validated after the
    merge as before. A deleted record's put is refused by the merge, so it takes that path.
    An append-only record's put is always read against what it holds (it is written whole).
    """
    fields = m.fields  # read, never changed
    state = pending.state
    if VALIDATE_ONCE and (state is None or not state.deleted):
        try:
            whole = validate_fields(
                collection, {**state.fields, **fields} if state else fields, work.settings
            )
        except SyncError:
            pass
        else:
            return whole, {path: value_at(whole, path) for path in fields}
    known = state.fields if written_whole and state else {}
    partial = validate_fields(collection, {**known, **fields}, work.settings)
    return None, {path: value_at(partial, path) for path in fields}


async def apply_one(work: PushWork, m: Mutation, seq: int) -> dict[str, Any]:
    """Authorise, validate and merge one mutation into the in-memory view; return its result."""
    collection = COLLECTIONS[m.collection]
    if not collection.pushable:
        raise SyncError(
            "read_only",
            f"{m.collection} is kept by the server; the app only reads it.",
            {"field": "collection", "reason": "read_only"},
        )
    record_id = uuid.UUID(m.id)
    pending = await _load(work, collection, record_id)
    principal = work.principal
    if principal.role is not Role.OFFICER:
        message = "Only officers change visits from the app; supervisors review online."
        by_role = SyncError("forbidden", message, {"reason": "role"})
        raise refused(work, m, by_role, f"role {principal.role.value}")
    creating = pending.state is None
    rule = child_rule(collection.name) if collection.is_child else None
    normalised: dict[str, Any] = {}
    merged: BaseModel | None = None  # the record after this put, validated once
    if m.op == "put" and m.fields:
        # An append-only record is written whole: a later put is read against what it holds.
        written_whole = bool(rule and rule.append_only)
        merged, normalised = _validate_put(work, collection, pending, m, written_whole)
    if ADVICE_TICKS in normalised:
        await _check_ticks(work, normalised[ADVICE_TICKS])
    if rule is not None:
        if pending.state is None and (m.op == "delete" or (m.base_rev or 0) > 0):
            raise SyncError("not_found", "No such record.", {"id": m.id})
        visit = await _visit_for_child(work, pending, m)
        if visit.status not in rule.open_in:
            code, message = rule.refusal
            raise SyncError(
                code, message, {"visit_id": str(visit.record_id), "status": visit.status}
            )
        if rule.append_only and m.op == "delete":
            raise append_only(m.id)
        if pending.row is None:
            pending.owner = {"visit_id": visit.record_id}
            if rule.append_only:
                pending.owner["author_id"] = principal.officer_id
        elif isinstance(pending.row, Photo) and m.op == "put":
            changed = verified_bytes_change(pending.row, normalised)
            if changed is not None:
                raise SyncError(
                    "photo_verified",
                    f"This photo's bytes are verified as evidence: its {changed} cannot "
                    "change. A different picture is a new photo.",
                    {"field": changed},
                )
    elif pending.state is not None:
        if not _may_read(work, pending):
            not_found = SyncError("not_found", "No such visit.", {"id": m.id})
            raise refused(work, m, not_found, "out of scope")
        if not _may_write(work, pending):
            forbidden = SyncError("forbidden", "Only the visit's officer can change it.", {})
            raise refused(work, m, forbidden, "not the visit's officer")
        if m.op == "put":
            check_visit_put(pending.state, normalised, principal.role.value, True)
        elif pending.status != VisitStatus.DRAFT.value and not pending.state.deleted:
            raise SyncError("visit_locked", "Only a draft visit can be deleted.", {})
    else:
        if m.op == "put":
            check_visit_put(None, normalised, principal.role.value, True)
        pending.owner = {
            "officer_id": principal.officer_id,
            "team_id": principal.team_id,
            "area_id": principal.area_id,
        }

    if collection.name == "visits" and LINK_PATH in normalised and work.links is not None:
        current = pending.state.fields.get(LINK_PATH) if pending.state else None
        work.links.check(record_id, current, normalised[LINK_PATH])

    before_status = pending.status
    new_rev = (pending.state.rev if pending.state else 0) + 1
    outcome = apply_mutation(
        pending.state, dataclasses.replace(m, fields=normalised), new_rev, work.client_id
    )
    if outcome.change is None:
        return {"status": outcome.status.value, "rev": outcome.rev, "error": None}
    if rule is not None and rule.append_only and not creating:
        raise append_only(m.id)

    model = None
    if not outcome.state.deleted:
        model = merged or validate_fields(collection, dict(outcome.state.fields), work.settings)
        if creating and collection.name in NEW_RECORD_CHECKS:
            await NEW_RECORD_CHECKS[collection.name](
                work.connection,
                child_visit_id(pending),
                model,
                _siblings(work, collection),
                work.settings,
            )
        if (
            collection.name == "visits"
            and pending.status != VisitStatus.COMPLETED.value
            and outcome.state.fields.get("status") == VisitStatus.COMPLETED.value
        ):
            assert isinstance(model, VisitRecord)
            missing = missing_for_completion(model)
            if missing:
                raise SyncError(
                    "incomplete",
                    "The visit cannot be completed yet: " + ", ".join(missing) + " missing.",
                    {"missing": list(missing), "field": missing[0]},
                )
            pending.completed_now = True

    change = outcome.change
    pending.state = outcome.state
    pending.model = model
    pending.changed |= set(change.changed)
    pending.revisions.append(
        RevisionNote(
            rev=change.rev,
            op=change.op,
            changes={p: outcome.state.fields.get(p) for p in change.changed},
            previous=dict(change.previous),
            conflicts_added=[c.to_json() for c in change.conflicts_added],
            conflicts_cleared=[c.to_json() for c in change.conflicts_cleared],
            author=work.client_id,
            actor_id=principal.officer_id,
            client_id=work.client_uuid,
            seq=seq,
            device_at=m.at,
        )
    )
    work.audit.append(
        audit.pushed(work.ctx, collection.name, record_id, change.op, seq, before_status)
    )
    return {"status": outcome.status.value, "rev": outcome.rev, "error": None}


def _siblings(work: PushWork, collection: Collection) -> list[BaseModel]:
    """Records of this collection created earlier in the same push (not yet in the database)."""
    return [
        p.model
        for p in work.touched.values()
        if p.collection is collection and p.row is None and p.model is not None
    ]


async def _check_ticks(work: PushWork, ticks: Any) -> None:
    """Refuse advice ticks naming no version of any catalogue item (retired ones are known)."""
    if work.ticks is None:
        work.ticks = KnownTicks(work.connection)
    unknown = await work.ticks.unknown(ticks if isinstance(ticks, list) else [])
    if unknown:
        named = ", ".join(f"{t.get('id')} version {t.get('version')}" for t in unknown[:5])
        raise SyncError(
            "validation_failed",
            f"{ADVICE_TICKS}: not in the advice catalogue: {named}",
            {
                "field": ADVICE_TICKS,
                "fields": [
                    {
                        "field": ADVICE_TICKS,
                        "message": "not in the advice catalogue",
                        "type": "unknown_advice",
                    }
                ],
                "unknown": [
                    {"id": str(t.get("id")), "version": int(t.get("version") or 0)}
                    for t in unknown[:20]
                ],
            },
        )


def child_visit_id(pending: Pending) -> uuid.UUID:
    if pending.row is not None:
        return uuid.UUID(str(pending.row.visit_id))  # type: ignore[attr-defined]
    return uuid.UUID(str(pending.owner["visit_id"]))


async def settle_reports(work: PushWork) -> tuple[list[Change], list[ScopeExitNote]]:
    """The report changes this push makes (links, visited, unlinked) and the visits' repeat
    flags: run once every mutation is merged, before anything is recorded."""
    links = work.links
    if links is None:
        return [], []
    visits = [
        pending
        for pending in work.touched.values()
        if pending.collection.name == "visits" and pending.revisions and pending.state
    ]
    await links.read_addresses(
        work.connection, [(p.state.fields, p.changed) for p in visits if p.state]
    )
    for pending in visits:
        assert pending.state is not None
        await links.settle(
            work.connection,
            pending.record_id,
            dict(pending.state.fields),
            officer_id=_visit_owner(pending),
            deleted=pending.state.deleted,
            created_at=pending.row.created_at if pending.row else None,
            changed=pending.changed,
            ctx=work.ctx,
            author=work.client_id,
        )
        if pending.record_id in links.repeat:
            pending.server_columns["repeat_computed"] = links.repeat[pending.record_id]
    changes, exits = links.feed(work.ctx)
    work.audit += links.audit
    return changes, exits
