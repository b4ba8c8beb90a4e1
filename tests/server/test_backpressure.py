"""Issue 14 item 5 (backpressure): slow anonymous requests cannot make signed-in officers get
503 - separate budgets per worker - and an anonymous body has a deadline (408, slowloris)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
from starlette.applications import Starlette

from harness.passkeys import ORIGIN
from server.app import create_app
from server.clock import FixedClock
from server.settings import Settings
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
JSON = {"content-type": "application/json", "Origin": ORIGIN}


def _app(settings: Settings, clock: FixedClock, **changes: int) -> Starlette:
    return create_app(dataclasses.replace(settings, **changes), clock=clock, manage_orm=False)


def _browser(app: Starlette, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN, cookies=cookies)


async def _trickle(first: bytes, release: asyncio.Event, rest: bytes) -> AsyncIterator[bytes]:
    """A body that stops after ``first`` until ``release`` is set (or forever)."""
    yield first
    await release.wait()
    yield rest


async def _in_flight(app: Starlette, n: int) -> None:
    """Wait until the app's backpressure middleware counts ``n`` requests in flight."""
    stack = app.middleware_stack
    while stack is not None and type(stack).__name__ != "BackpressureMiddleware":
        stack = getattr(stack, "app", None)
    assert stack is not None
    for _ in range(200):
        if stack.in_flight >= n:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never {n} in flight")


async def test_slow_anonymous_bodies_do_not_make_signed_in_officers_get_503(
    settings: Settings, clock: FixedClock, enrolled: Enrolled
) -> None:
    app = _app(
        settings, clock, max_in_flight=2, max_in_flight_anonymous=2, anonymous_body_seconds=60
    )
    officer = await enrolled()
    release = asyncio.Event()
    async with (
        _browser(app) as anonymous,
        _browser(app, officer.client.cookies) as signed_in,
    ):
        await signed_in.get("/api/me")  # the app builds its middleware on the first request
        slow = [
            asyncio.create_task(
                anonymous.post(
                    "/api/auth/login/options",
                    content=_trickle(b"{", release, b"}"),
                    headers=JSON,
                )
            )
            for _ in range(2)
        ]
        await _in_flight(app, 2)

        me = await signed_in.get("/api/me")
        another = await anonymous.post("/api/auth/login/options", json={}, headers=JSON)

        release.set()
        finished = await asyncio.gather(*slow)
    assert me.status_code == 200
    assert another.status_code == 503  # the anonymous budget is full: they retry later
    assert [f.status_code for f in finished] == [200, 200]


async def test_an_anonymous_body_slower_than_its_deadline_gets_408(
    settings: Settings, clock: FixedClock, db: str
) -> None:
    app = _app(settings, clock, anonymous_body_seconds=1)
    never = asyncio.Event()
    async with _browser(app) as anonymous:
        started = time.monotonic()
        response = await anonymous.post(
            "/api/auth/enrol/options", content=_trickle(b'{"collar"', never, b"}"), headers=JSON
        )
    assert response.status_code == 408
    assert response.json()["error"]["code"] == "request_timeout"
    assert time.monotonic() - started < 5


async def test_a_forged_cookie_cannot_hold_a_signed_in_slot_with_a_slow_body(
    settings: Settings, clock: FixedClock, db: str
) -> None:
    app = _app(settings, clock, anonymous_body_seconds=1)
    never = asyncio.Event()
    forged = httpx.Cookies({"doorstep_session": "forged"})
    async with _browser(app, forged) as forger:
        started = time.monotonic()
        guarded = await forger.post(
            "/api/visits/validate", content=_trickle(b"{", never, b"}"), headers=JSON
        )
        public = await forger.post(
            "/api/auth/login/verify", content=_trickle(b"{", never, b"}"), headers=JSON
        )
    assert guarded.status_code == 401  # refused before its body is read
    assert public.status_code == 408  # the ceremonies count as anonymous, cookie or not
    assert time.monotonic() - started < 5


async def test_signed_in_bodies_have_no_deadline(
    settings: Settings, clock: FixedClock, enrolled: Enrolled
) -> None:
    app = _app(settings, clock, anonymous_body_seconds=1)
    officer = await enrolled()
    release = asyncio.Event()
    async with _browser(app, officer.client.cookies) as signed_in:
        request = asyncio.create_task(
            signed_in.post(
                "/api/visits/validate",
                content=_trickle(b'{"address": {"postcode": ', release, b'"WR3 8JE"}}'),
                headers=JSON,
            )
        )
        await asyncio.sleep(1.5)  # a weak signal
        release.set()
        response = await request
    assert response.status_code == 200, response.text


async def test_an_overloaded_worker_reads_a_refused_body_before_answering_503() -> None:
    # Regression (bench/storm.py, a tus PATCH answered 502 by Caddy): the 503 went out while
    # the proxy was still sending the chunk, so the worker closed the connection under it.
    from server.observability import BackpressureMiddleware

    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("an overloaded worker must not run the request")

    middleware = BackpressureMiddleware(app, limit=0)
    chunks = [b"x" * 65536 for _ in range(4)]
    consumed: list[int] = []
    sent: list[tuple[str, int]] = []

    async def receive() -> dict[str, object]:
        consumed.append(len(chunks[len(consumed)]))
        return {"type": "http.request", "body": b"x" * 65536, "more_body": len(consumed) < 4}

    async def send(message: dict[str, object]) -> None:
        sent.append((str(message["type"]), len(consumed)))

    scope = {
        "type": "http",
        "path": "/api/uploads/x",
        "headers": [(b"cookie", b"doorstep_session=s")],
    }
    await middleware(scope, receive, send)  # type: ignore[arg-type]
    assert sent[0] == ("http.response.start", 4), "answered before the body was read"
