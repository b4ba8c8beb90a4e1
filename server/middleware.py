"""Pure ASGI middleware: a request id on every request, and headers every response needs."""

from __future__ import annotations

import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import Forbidden, error_response

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


class RequestContextMiddleware:
    """Give each request an id (or keep a sane one from the proxy) and harden response headers.

    API and health responses are never cached anywhere (``Cache-Control: no-store``), and
    every response says ``nosniff``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        no_store = path.startswith("/api/") or path in {"/healthz", "/readyz", "/metrics"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                headers.setdefault("X-Content-Type-Options", "nosniff")
                # Nothing from the API is cached; a route may say more ("private, no-store").
                if no_store and "no-store" not in headers.get("Cache-Control", ""):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


_STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


class OriginCheckMiddleware:
    """Refuse state-changing requests from another origin (403), before any handler runs.

    Browsers send ``Origin`` on every POST; it must be our public origin. A request with no
    ``Origin`` is accepted only when it carries no ``Sec-Fetch-Site`` either, i.e. it comes from a
    non-browser client (an integration, a tus client), which no cookie-riding page can forge.
    """

    def __init__(self, app: ASGIApp, allowed_origin: str) -> None:
        self.app = app
        self.allowed_origin = allowed_origin.rstrip("/").lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["method"] not in _STATE_CHANGING:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        fetch_site = headers.get("sec-fetch-site")
        if origin is not None:
            allowed = origin.rstrip("/").lower() == self.allowed_origin
        else:
            allowed = fetch_site in (None, "same-origin", "none")
        if allowed:
            await self.app(scope, receive, send)
            return
        response = error_response(
            Forbidden("Requests from another site are refused.", code="bad_origin")
        )
        await response(scope, receive, send)
