"""The auth domain's services in one place: what its routes, commands and benchmarks call.

The work is split by job, each in its own module: the passkey ceremonies (``ceremonies`` for
sign-in, ``registration`` for enrolment, both answering challenges kept by ``challenges``),
one-time enrolment codes (``enrolment``) and devices (``devices``). This module names them
together and answers "who am I" for the signed-in caller.
"""

from __future__ import annotations

from server.auth.ceremonies import SignedIn, login_options, login_verify
from server.auth.devices import list_devices, revoke_device
from server.auth.enrolment import issue_enrolment_code, issue_enrolment_code_for
from server.auth.models import Device
from server.auth.notices import acknowledge, pending_notices
from server.auth.registration import enrol_options, enrol_verify
from server.auth.schemas import AppSettings, Me
from server.auth.views import device_out
from server.context import RequestContext
from server.org.models import Officer
from server.org.views import officer_out, team_out

__all__ = [
    "SignedIn",
    "acknowledge",
    "enrol_options",
    "enrol_verify",
    "issue_enrolment_code",
    "issue_enrolment_code_for",
    "list_devices",
    "login_options",
    "login_verify",
    "me",
    "revoke_device",
]


async def me(*, ctx: RequestContext) -> Me:
    """The signed-in officer, their team and device, the settings the app needs, and the
    notices (devices added to their account) they have yet to acknowledge."""
    principal, settings = ctx.caller, ctx.settings
    officer = await Officer.get(id=principal.officer_id).select_related("team__area")
    device = await Device.get(id=principal.device_id)
    return Me(
        officer=officer_out(officer),
        team=team_out(officer.team),
        device=device_out(device),
        settings=AppSettings(
            force_name=settings.force_name,
            origin=settings.origin,
            rp_id=settings.rp_id,
            crime_reference_pattern=settings.crime_reference_pattern,
            session_idle_seconds=settings.session_idle_seconds,
            session_absolute_seconds=settings.session_absolute_seconds,
            officers_see_team_visits=settings.officers_see_team_visits,
            attendance_target_seconds=settings.attendance_target_seconds,
            device_lock_idle_seconds=settings.device_lock_idle_seconds,
            device_purge_grace_seconds=settings.device_purge_grace_seconds,
            device_without_prf=settings.device_without_prf,
        ),
        notices=await pending_notices(principal),
    )
