"""Metrics (Prometheus text format), JSON access logs and backpressure (with a body deadline
for anonymous requests).

Metrics use ``prometheus_client``; with several uvicorn workers ``doorstep serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a shared folder so ``/metrics`` on any worker reports all of
them. Logs name the route template, never the path or query (a path or filter can hold a
postcode or a name).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import RequestTimeout, ServiceUnavailable, error_response

access_log = logging.getLogger("doorstep.access")

REQUEST_SECONDS = Histogram(
    "doorstep_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
MUTATIONS = Counter(
    "doorstep_sync_mutations_total",
    "Pushed mutations by outcome (applied, merged, conflict, rejected).",
    ["status"],
)
PULL_WAITS = Counter(
    "doorstep_sync_pull_waits_total",
    "Pulls that waited for an older transaction holding back committed changes, by outcome.",
    ["outcome"],
)
UPLOAD_BYTES = Counter("doorstep_upload_bytes_total", "Photo bytes received by tus PATCH.")
DERIVATIVE_JOBS_WAITING = Gauge(
    "doorstep_derivative_jobs_waiting",
    "Photo derivative jobs queued or running in this process.",
    multiprocess_mode="livesum",
)
OVERLOADED = Counter(
    "doorstep_overloaded_total", "Requests answered 503 because too many were in flight."
)

_UNMEASURED = {"/metrics", "/healthz", "/readyz"}


def route_template(scope: Scope) -> str:
    """The matching route's template (``/api/visits/{visit_id}``), or ``other``."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    if router is None:
        return "other"
    for route in router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "other"


class ObservabilityMiddleware:
    """Time every request, count it by route, and write one JSON access-log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            elapsed = time.perf_counter() - start
            path = scope["path"]
            if path not in _UNMEASURED:
                route = route_template(scope)
                REQUEST_SECONDS.labels(route, scope["method"], f"{status // 100}xx").observe(
                    elapsed
                )
                access_log.info(
                    "request",
                    extra={
                        "request_id": scope.get("state", {}).get("request_id", ""),
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )


class _Budget:
    """Requests in flight in this worker for one kind of caller, and how many may be."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0


def _overloaded() -> Response:
    retry_after = str(random.randint(2, 6))  # noqa: S311 - jitter, not security
    return error_response(
        ServiceUnavailable(
            "The server is busy. Your changes are safe on the phone; it will retry.",
            code="overloaded",
            headers={"Retry-After": retry_after},
            details={"retry_after": int(retry_after)},
        )
    )


# What an overloaded worker reads of a refused request's body before answering, at most.
_DRAIN_BYTES = 4 * 1024 * 1024
_DRAIN_SECONDS = 2.0


async def _drain(receive: Receive) -> None:
    """Read (and drop) a refused request's body before answering 503: answering while the
    proxy is still sending a body (a tus chunk) makes the worker close the connection under
    it, and Caddy turns that into a 502 the phone cannot tell from a broken server. A body
    too large or too slow is left, and the connection closed, as before."""
    read = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(_DRAIN_SECONDS):
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return
                read += len(message.get("body", b""))
                if not message.get("more_body", False) or read > _DRAIN_BYTES:
                    return


class BackpressureMiddleware:
    """Beyond its budget of requests in flight in this worker, answer 503 with Retry-After.

    A phone told to come back in a few (jittered) seconds is better than one whose request
    times out after queueing: at shift change thousands reconnect together.

    Signed-in and anonymous requests have separate budgets (issue 14 item 5), so a few slow
    anonymous requests cannot make signed-in officers get 503, and an anonymous request must
    send its whole body within ``anonymous_body_seconds`` or get 408 (slowloris). The check
    is cheap, with no database: a request carrying the session cookie, outside the public
    ``/api/auth/`` ceremonies, counts as signed in. A forged cookie only buys a place in the
    signed-in budget for as long as the guard takes to refuse it (one indexed lookup, before
    any body is read): it can add to a flood, like any request, but never hold a slot with a
    slow body. Signed-in bodies get no deadline: a phone on a weak signal may upload slowly.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        *,
        anonymous_limit: int = 16,
        anonymous_body_seconds: float = 10.0,
        session_cookie: str = "doorstep_session",
    ) -> None:
        self.app = app
        self.signed_in = _Budget(limit)
        self.anonymous = _Budget(anonymous_limit)
        self.anonymous_body_seconds = anonymous_body_seconds
        self.session_cookie = session_cookie

    @property
    def in_flight(self) -> int:
        """Requests in flight in this worker, of both kinds."""
        return self.signed_in.in_flight + self.anonymous.in_flight

    def _signed_in(self, scope: Scope) -> bool:
        if str(scope["path"]).startswith("/api/auth/"):
            return False
        for name, value in scope["headers"]:
            if name == b"cookie" and cookie_parser(value.decode("latin-1")).get(
                self.session_cookie
            ):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["path"] in _UNMEASURED:
            await self.app(scope, receive, send)
            return
        signed_in = self._signed_in(scope)
        budget = self.signed_in if signed_in else self.anonymous
        if budget.in_flight >= budget.limit:
            OVERLOADED.inc()
            await _drain(receive)
            await _overloaded()(scope, receive, send)
            return
        budget.in_flight += 1
        try:
            if not signed_in:
                receive = self._body_deadline(receive)
            await self.app(scope, receive, send)
        finally:
            budget.in_flight -= 1

    def _body_deadline(self, receive: Receive) -> Receive:
        """``receive`` that raises 408 if the body is not all in by the deadline."""
        deadline = asyncio.get_running_loop().time() + self.anonymous_body_seconds
        body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # later calls only listen for a disconnect
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise RequestTimeout() from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        return timed_receive


async def metrics(request: Request) -> Response:
    """Prometheus text exposition of every worker's metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        data = generate_latest(registry)
    else:
        data = generate_latest()
    return Response(data, media_type=CONTENT_TYPE_LATEST)
