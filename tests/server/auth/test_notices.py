"""Issue 14 item 6: an administrator enrolling a device into someone's account - a supervisor
who sees victims' data, or their own - is audited as such and shown to the account's holder at
their next sign-in on another device, until they acknowledge it (SECURITY.md item 35)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from harness.authenticator import SoftAuthenticator
from harness.passkeys import enrol, login
from server.audit.models import AuditAction, AuditEvent
from server.auth.service import issue_enrolment_code
from server.clock import FixedClock
from server.context import RequestContext
from server.org.models import Role
from server.org.service import create_officer
from server.settings import Settings
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
MakeClient = Callable[[], httpx.AsyncClient]


async def _code_from(admin: Person, officer_id: object) -> str:
    issued = await admin.client.post(f"/api/admin/officers/{officer_id}/enrolment-codes", json={})
    assert issued.status_code == 201, issued.text
    return str(issued.json()["code"])


async def _intrude(admin: Person, victim: Person, make_client: MakeClient) -> tuple[Any, str]:
    """The administrator enrols a passkey of their own into the victim's account."""
    code = await _code_from(admin, victim.officer.id)
    intruder = make_client()
    enrolled = await enrol(
        intruder, SoftAuthenticator(), victim.officer.collar_number, code, label="Spare laptop"
    )
    assert enrolled.status_code == 200, enrolled.text
    return intruder, enrolled.json()["device"]["id"]


@dataclass
class Intrusion:
    """An administrator has enrolled a passkey of their own into a supervisor's account."""

    admin: Person
    sergeant: Person
    intruder: httpx.AsyncClient
    device_id: str
    notice: dict[str, Any]  # what the sergeant's phone is told


@pytest.fixture
async def intrusion(enrolled: Enrolled, make_client: MakeClient) -> Intrusion:
    """The administrator's intrusion, and the notice on the sergeant's existing phone."""
    admin = await enrolled(role="admin")
    sergeant = await enrolled(role="supervisor")
    intruder, device_id = await _intrude(admin, sergeant, make_client)
    [notice] = (await sergeant.client.get("/api/me")).json()["notices"]
    return Intrusion(admin, sergeant, intruder, device_id, notice)


async def test_admin_enrolling_into_a_supervisors_account_is_shown_at_their_next_sign_in(
    intrusion: Intrusion,
) -> None:
    admin, sergeant, device_id = intrusion.admin, intrusion.sergeant, intrusion.device_id

    assert (await login(sergeant.client, sergeant.authenticator)).status_code == 200
    me = (await sergeant.client.get("/api/me")).json()

    [notice] = me["notices"]
    assert notice["kind"] == "device_added"
    assert notice["can_revoke"] is True
    assert notice["device"]["id"] == device_id
    assert notice["device"]["label"] == "Spare laptop"
    assert notice["issued_by"]["id"] == str(admin.officer.id)
    assert notice["issued_by_self"] is False
    assert notice["acknowledged_at"] is None
    message = notice["message"]
    assert message.startswith("A new device was added to your account on ")
    assert "(Spare laptop)" in message
    assert f"{admin.officer.display_name} ({admin.officer.collar_number})" in message
    # Audited as an enrolment into an account that sees victims' data, by the issuer.
    row = await AuditEvent.get(
        action=AuditAction.ALTER, record_type="enrolment", device_id=uuid.UUID(device_id)
    )
    assert row.actor_id == admin.officer.id
    assert row.record_id == str(sergeant.officer.id)
    assert "victims' data" in row.reason
    issued = await AuditEvent.get(record_type="enrolment_code", actor_id=admin.officer.id)
    assert str(sergeant.officer.id) in issued.reason
    assert "victims' data" in issued.reason


async def test_the_added_device_cannot_wave_away_or_turn_its_notices_against_the_holder(
    intrusion: Intrusion,
) -> None:
    sergeant, intruder, notice = intrusion.sergeant, intrusion.intruder, intrusion.notice

    # The new device is told the account already had the sergeant's phone; it cannot revoke it.
    [told] = (await intruder.get("/api/me")).json()["notices"]
    assert told["kind"] == "device_already_there"
    assert told["device"]["id"] == sergeant.device_id
    assert told["can_revoke"] is False
    answer = await intruder.post(f"/api/me/notices/{told['id']}/ack", json={"recognised": False})
    assert answer.status_code == 200
    assert (await sergeant.client.get("/api/me")).status_code == 200  # not revoked
    # Nor can it acknowledge what the sergeant's phone is told.
    waved = await intruder.post(f"/api/me/notices/{notice['id']}/ack", json={})
    assert waved.status_code == 404
    assert (await sergeant.client.get("/api/me")).json()["notices"] == [notice]
    [denied] = await AuditEvent.filter(action=AuditAction.DENIED)
    assert denied.record_id == notice["id"]
    reported = await AuditEvent.filter(action=AuditAction.ALTER, record_type="device_notice")
    assert [r.reason for r in reported] == [
        f"device_already_there acknowledged: device {sergeant.device_id} NOT recognised"
    ]


async def test_an_account_enrolled_before_its_holder_is_shown_on_the_holders_first_device(
    enrolled: Enrolled, make_client: MakeClient, settings: Settings, clock: FixedClock
) -> None:
    admin = await enrolled(role="admin")
    sergeant = await create_officer(
        collar_number="7070", display_name="PS New", role=Role.SUPERVISOR, team_name="T"
    )
    intruder = make_client()
    code = await _code_from(admin, sergeant.id)
    assert (await enrol(intruder, SoftAuthenticator(), "7070", code)).status_code == 200
    intruder_device = (await intruder.get("/api/me")).json()["device"]["id"]
    revoked = await admin.client.post(
        f"/api/admin/devices/{intruder_device}/revoke", json={"reason": "covering tracks"}
    )
    assert revoked.status_code == 200

    own, _ = await issue_enrolment_code("7070", ctx=RequestContext.system(settings, clock.now()))
    holder = make_client()
    assert (await enrol(holder, SoftAuthenticator(), "7070", own)).status_code == 200

    [notice] = (await holder.get("/api/me")).json()["notices"]
    assert notice["kind"] == "device_already_there"
    assert notice["device"]["id"] == intruder_device
    assert notice["issued_by"]["id"] == str(admin.officer.id)
    assert notice["message"].endswith("That device has since been revoked.")


async def test_the_holder_acknowledges_a_notice_once_and_it_is_audited(
    intrusion: Intrusion,
) -> None:
    sergeant, notice = intrusion.sergeant, intrusion.notice

    ack = await sergeant.client.post(f"/api/me/notices/{notice['id']}/ack", json={})
    again = await sergeant.client.post(
        f"/api/me/notices/{notice['id']}/ack", json={"recognised": False}
    )

    assert ack.status_code == again.status_code == 200
    assert ack.json()["acknowledged_at"] is not None
    assert again.json() == ack.json()  # the first answer stands
    assert ack.json()["recognised"] is True
    assert (await sergeant.client.get("/api/me")).json()["notices"] == []
    [row] = await AuditEvent.filter(record_type="device_notice")
    assert row.actor_id == sergeant.officer.id
    assert row.record_id == notice["id"]


async def test_a_device_the_holder_does_not_recognise_is_revoked_at_once(
    intrusion: Intrusion,
) -> None:
    sergeant, intruder, notice = intrusion.sergeant, intrusion.intruder, intrusion.notice
    device_id = intrusion.device_id

    answer = await sergeant.client.post(
        f"/api/me/notices/{notice['id']}/ack", json={"recognised": False}
    )

    assert answer.status_code == 200
    assert answer.json()["recognised"] is False
    assert answer.json()["device"]["revoked_at"] is not None
    assert (await intruder.get("/api/me")).json()["error"]["code"] == "device_revoked"
    [revoked] = await AuditEvent.filter(action=AuditAction.REVOKE)
    assert revoked.actor_id == sergeant.officer.id
    assert revoked.record_id == device_id


async def test_an_administrator_enrolling_into_their_own_account_is_audited_and_shown(
    enrolled: Enrolled, make_client: MakeClient
) -> None:
    admin = await enrolled(role="admin")
    code = await _code_from(admin, admin.officer.id)
    second = make_client()
    assert (
        await enrol(second, SoftAuthenticator(), admin.officer.collar_number, code)
    ).status_code == 200

    [notice] = (await admin.client.get("/api/me")).json()["notices"]
    assert notice["kind"] == "device_added"
    assert notice["issued_by_self"] is True
    assert "issued from your own account" in notice["message"]
    issued = await AuditEvent.get(record_type="enrolment_code", actor_id=admin.officer.id)
    assert "the issuer's own account" in issued.reason
    row = await AuditEvent.get(record_type="enrolment", actor_id=admin.officer.id)
    assert "the issuer's own account" in row.reason


async def test_another_persons_notice_cannot_be_acknowledged(
    intrusion: Intrusion, enrolled: Enrolled
) -> None:
    admin, sergeant, notice = intrusion.admin, intrusion.sergeant, intrusion.notice
    colleague = await enrolled(role="supervisor")

    for meddler in (colleague, admin):
        answer = await meddler.client.post(
            f"/api/me/notices/{notice['id']}/ack", json={"recognised": False}
        )
        assert answer.status_code == 404
    unknown = await colleague.client.post(f"/api/me/notices/{uuid.uuid4()}/ack", json={})
    assert unknown.json() == answer.json()
    assert (await sergeant.client.get("/api/me")).json()["notices"] == [notice]
