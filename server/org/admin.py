"""Administering accounts: edit, move team, deactivate and reactivate, every change audited.

An account's role, team and area decide what its holder sees (``server.auth.scope``), and the
session guard reads them afresh on every request, so a change takes effect at once. A phone's
pull cursor is tagged with its holder's scope (``server.syncing.pull.feed_tag``): after a move
or a new role the next pull answers ``reset: true`` and the phone downloads its records again.

Visits belong to the officer who made them and to the team they were made in: moving an
officer leaves their visits theirs (still on their phone, still in the old team's lists).
Moving a visit is ``server.visits.service.reassign_visit``.

Deactivating ends every session of the account at once; the guard also refuses an inactive
account's cookie, a new sign-in and an enrolment code, so its devices stop syncing. Nothing the
officer recorded is touched, and their unsent work stays on the phone (SECURITY.md 33) until
they are reactivated or the device is revoked. Audit rows name the account and the fields
changed, never their values.
"""

from __future__ import annotations

import uuid

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.auth.models import Session
from server.context import RequestContext
from server.errors import Conflict, NotFound, ValidationFailed
from server.org.models import Officer, Team
from server.org.schemas import EditOfficerRequest, OfficerQuery


async def list_accounts(query: OfficerQuery) -> list[Officer]:
    """Accounts by collar number, with their team and area, filtered as asked."""
    officers = Officer.all().select_related("team__area").order_by("collar_number")
    if query.team_id is not None:
        officers = officers.filter(team_id=query.team_id)
    if query.role is not None:
        officers = officers.filter(role=query.role)
    if query.active is not None:
        officers = officers.filter(active=query.active)
    return await officers


async def get_account(officer_id: uuid.UUID) -> Officer:
    """One account with its team and area (404 if there is none)."""
    officer = await Officer.filter(id=officer_id).select_related("team__area").first()
    if officer is None:
        raise NotFound("No such officer.")
    return officer


async def _locked(connection: BaseDBAsyncClient, officer_id: uuid.UUID) -> Officer:
    """The account, locked until the transaction ends (two administrators queue)."""
    query = Officer.filter(id=officer_id).using_db(connection)
    if connection.capabilities.dialect == "postgres":
        query = query.select_for_update()
    officer = await query.first()
    if officer is None:
        raise NotFound("No such officer.")
    return officer


async def _altered(
    ctx: RequestContext, connection: BaseDBAsyncClient, officer: Officer, why: str
) -> None:
    """The account's change, audited in its transaction (names the fields, never values)."""
    entry = ctx.audit(AuditAction.ALTER, record_type="officer", record_id=officer.id, reason=why)
    await ctx.write_audit([entry], connection)


async def edit_account(
    officer_id: uuid.UUID, body: EditOfficerRequest, *, ctx: RequestContext
) -> Officer:
    """Change an account's name, contact details (shown on leave-behinds), role or scope.

    An administrator cannot change their own role (nor deactivate themselves): the one doing
    it is an active administrator, so the force always keeps one.
    """
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise ValidationFailed.from_fields(
            [{"field": "body", "message": "name at least one field to change", "type": "missing"}]
        )
    async with in_transaction() as connection:
        officer = await _locked(connection, officer_id)
        changed = sorted(k for k, v in changes.items() if getattr(officer, k) != v)
        if "role" in changed and officer.id == ctx.caller.officer_id:
            raise Conflict("You cannot change your own role.", code="own_role")
        if changed:
            for name in changed:
                setattr(officer, name, changes[name])
            await officer.save(using_db=connection, update_fields=changed)
            await _altered(ctx, connection, officer, "edited " + ", ".join(changed))
    return await get_account(officer_id)


async def move_account(
    officer_id: uuid.UUID, team_id: int, reason: str, *, ctx: RequestContext
) -> Officer:
    """Move an account to another team (and so, perhaps, another area); its visits stay."""
    async with in_transaction() as connection:
        officer = await _locked(connection, officer_id)
        team = await Team.filter(id=team_id).using_db(connection).first()
        if team is None:
            raise NotFound("No such team.", details={"field": "team_id"})
        old_team: int = officer.team_id  # type: ignore[attr-defined]
        if old_team != team.id:
            await Officer.filter(id=officer.id).using_db(connection).update(team_id=team.id)
            why = f"moved from team {old_team} to team {team.id}" + (
                f": {reason}" if reason else ""
            )
            await _altered(ctx, connection, officer, why)
    return await get_account(officer_id)


async def set_active(
    officer_id: uuid.UUID, active: bool, reason: str, *, ctx: RequestContext
) -> Officer:
    """Deactivate an account (its sessions end now) or reactivate it; both audited."""
    async with in_transaction() as connection:
        officer = await _locked(connection, officer_id)
        if not active and officer.id == ctx.caller.officer_id:
            raise Conflict("You cannot deactivate your own account.", code="own_account")
        if officer.active != active:
            await Officer.filter(id=officer.id).using_db(connection).update(active=active)
        ended = 0
        if not active:
            ended = await (
                Session.filter(officer_id=officer.id, ended_at__isnull=True)
                .using_db(connection)
                .update(ended_at=ctx.now)
            )
        what = "reactivated" if active else f"deactivated ({ended} sessions ended)"
        await _altered(ctx, connection, officer, f"{what}: {reason}")
    return await get_account(officer_id)
