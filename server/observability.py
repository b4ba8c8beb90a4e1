"""Metrics (Prometheus text format), JSON access logs and backpressure.

Metrics use ``prometheus_client``; with several uvicorn workers ``doorstep serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a shared folder so ``/metrics`` on any worker reports all of
them. Logs name the route template, never the path or query (a path or filter can hold a
postcode or a name).
"""

from __future__ import annotations

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
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import ServiceUnavailable, error_response

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


class BackpressureMiddleware:
    """Beyond ``limit`` requests in flight in this worker, answer 503 with Retry-After at once.

    A phone told to come back in a few (jittered) seconds is better than one whose request
    times out after queueing: at shift change thousands reconnect together.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["path"] in _UNMEASURED:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            OVERLOADED.inc()
            retry_after = str(random.randint(2, 6))  # noqa: S311 - jitter, not security
            response = error_response(
                ServiceUnavailable(
                    "The server is busy. Your changes are safe on the phone; it will retry.",
                    code="overloaded",
                    headers={"Retry-After": retry_after},
                    details={"retry_after": int(retry_after)},
                )
            )
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


async def metrics(request: Request) -> Response:
    """Prometheus text exposition of every worker's metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        data = generate_latest(registry)
    else:
        data = generate_latest()
    return Response(data, media_type=CONTENT_TYPE_LATEST)
