"""Sign-in endpoints, the caller's profile, and device administration (thin HTTP)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api import Endpoint, json_response, read_body, read_query
from server.auth import service
from server.auth.schemas import (
    CredentialRequest,
    DeviceList,
    DeviceNoticeOut,
    DeviceOut,
    DeviceQuery,
    EmptyRequest,
    EnrolmentCodeOut,
    EnrolOptionsRequest,
    LoggedOut,
    Me,
    NoticeAck,
    RevokeRequest,
    SessionStarted,
    WebAuthnOptions,
)
from server.auth.sessions import (
    clear_session_cookie,
    cookie_name,
    end_session,
    set_session_cookie,
    token_key,
)
from server.auth.views import device_out
from server.context import RequestContext
from server.org.models import Role
from server.org.views import officer_out


def _session_started(signed_in: service.SignedIn, ctx: RequestContext) -> Response:
    response = json_response(
        SessionStarted(officer=officer_out(signed_in.officer), device=device_out(signed_in.device))
    )
    set_session_cookie(response, signed_in.token, ctx.settings)
    return response


async def enrol_options(request: Request, ctx: RequestContext) -> Response:
    """Check a one-time code; answer WebAuthn registration options."""
    body = await read_body(request, EnrolOptionsRequest)
    return JSONResponse(await service.enrol_options(body.collar, body.code, ctx=ctx))


async def enrol_verify(request: Request, ctx: RequestContext) -> Response:
    """Register the passkey as this officer's device and sign in."""
    body = await read_body(request, CredentialRequest)
    return _session_started(await service.enrol_verify(body.credential, body.label, ctx=ctx), ctx)


async def login_options(request: Request, ctx: RequestContext) -> Response:
    """WebAuthn options for a username-less passkey sign-in."""
    await read_body(request, EmptyRequest)
    return JSONResponse(await service.login_options(ctx=ctx))


async def login_verify(request: Request, ctx: RequestContext) -> Response:
    """Verify the passkey assertion and start a new session."""
    body = await read_body(request, CredentialRequest)
    return _session_started(await service.login_verify(body.credential, ctx=ctx), ctx)


async def logout(request: Request, ctx: RequestContext) -> Response:
    """End the session on the server and tell the browser to forget its cookies and HTTP cache.

    Not "storage": that deletes IndexedDB, where a shared phone keeps other officers' unsent
    work (sealed under their keys). The app deletes its own officer's data itself, after showing
    what is unsent ("Sign out and wipe"); a revoked device still gets the full wipe (guard.py).
    """
    token = request.cookies.get(cookie_name(ctx.settings))
    if token:
        await end_session(token_key(token), ctx.now)
    response = json_response(LoggedOut(logged_out=True))
    clear_session_cookie(response, ctx.settings)
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response


async def me(request: Request, ctx: RequestContext) -> Response:
    """The signed-in officer, their team and device, and the settings the app needs."""
    return json_response(await service.me(ctx=ctx))


async def acknowledge_notice(request: Request, ctx: RequestContext) -> Response:
    """The person has seen a "new device" notice (from another device): theirs, or revoke it."""
    body = await read_body(request, NoticeAck)
    notice_id: uuid.UUID = request.path_params["notice_id"]
    return json_response(await service.acknowledge(notice_id, body.recognised, ctx=ctx))


async def issue_code(request: Request, ctx: RequestContext) -> Response:
    """Issue a one-time enrolment code for an officer (shown once)."""
    await read_body(request, EmptyRequest)
    officer_id: uuid.UUID = request.path_params["officer_id"]
    code, row = await service.issue_enrolment_code_for(officer_id, ctx=ctx)
    return json_response(
        EnrolmentCodeOut(officer_id=officer_id, code=code, expires_at=row.expires_at), 201
    )


async def list_devices(request: Request, ctx: RequestContext) -> Response:
    """Devices, optionally for one officer, newest first."""
    query = read_query(request, DeviceQuery)
    devices = await service.list_devices(query.officer_id)
    return json_response(DeviceList(devices=[device_out(d) for d in devices]))


async def revoke(request: Request, ctx: RequestContext) -> Response:
    """Revoke a lost device: its sessions end now and its next contact wipes it."""
    body = await read_body(request, RevokeRequest)
    device_id: uuid.UUID = request.path_params["device_id"]
    device = await service.revoke_device(device_id, body.reason, ctx=ctx)
    return json_response(device_out(device))


ADMIN = frozenset({Role.ADMIN})

endpoints = [
    Endpoint(
        "/api/auth/enrol/options",
        "POST",
        enrol_options,
        "Check an enrolment code, get passkey registration options",
        "auth",
        body=EnrolOptionsRequest,
        response=WebAuthnOptions,
        errors=(400, 429),
        public=True,
    ),
    Endpoint(
        "/api/auth/enrol/verify",
        "POST",
        enrol_verify,
        "Register the passkey and sign in",
        "auth",
        body=CredentialRequest,
        response=SessionStarted,
        errors=(400, 401, 409, 429),
        public=True,
    ),
    Endpoint(
        "/api/auth/login/options",
        "POST",
        login_options,
        "Passkey sign-in options",
        "auth",
        body=EmptyRequest,
        response=WebAuthnOptions,
        errors=(429,),
        public=True,
    ),
    Endpoint(
        "/api/auth/login/verify",
        "POST",
        login_verify,
        "Verify a passkey and sign in",
        "auth",
        body=CredentialRequest,
        response=SessionStarted,
        errors=(401, 429),
        public=True,
    ),
    Endpoint(
        "/api/auth/logout",
        "POST",
        logout,
        "End the session and clear this browser's data",
        "auth",
        response=LoggedOut,
        public=True,
    ),
    Endpoint("/api/me", "GET", me, "The signed-in officer", "auth", response=Me),
    Endpoint(
        "/api/me/notices/{notice_id:uuid}/ack",
        "POST",
        acknowledge_notice,
        "Acknowledge a new-device notice (recognised: false revokes that device)",
        "auth",
        body=NoticeAck,
        response=DeviceNoticeOut,
        errors=(404,),
    ),
    Endpoint(
        "/api/admin/officers/{officer_id:uuid}/enrolment-codes",
        "POST",
        issue_code,
        "Issue a one-time enrolment code",
        "admin",
        body=EmptyRequest,
        response=EnrolmentCodeOut,
        status=201,
        errors=(403, 404),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/devices",
        "GET",
        list_devices,
        "List devices",
        "admin",
        query=DeviceQuery,
        response=DeviceList,
        errors=(403,),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/devices/{device_id:uuid}/revoke",
        "POST",
        revoke,
        "Revoke a device and end its sessions",
        "admin",
        body=RevokeRequest,
        response=DeviceOut,
        errors=(403, 404),
        roles=ADMIN,
    ),
]
