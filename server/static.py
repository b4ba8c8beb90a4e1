"""Serving the built app (pwa/dist) from the API process in development and on a single box.

In production Caddy serves these files with the same cache rules; this keeps `make run` a
one-process setup. Paths are resolved inside the app folder only; unknown paths get the app
shell (client-side routing), never a directory listing.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from server.errors import MethodNotAllowed, NotFound

CONTENT_SECURITY_POLICY = (
    # 'wasm-unsafe-eval' lets the app compile its Argon2id WebAssembly (device PIN); no eval.
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' blob: data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def app_routes(pwa_dir: Path) -> list[Route]:
    """A catch-all GET route serving the built app from ``pwa_dir`` (after every API route)."""
    root = pwa_dir.resolve()

    async def serve(request: Request) -> Response:
        relative = request.path_params["path"]
        if relative == "api" or relative.startswith("api/"):
            raise NotFound()
        if request.method not in {"GET", "HEAD"}:
            raise MethodNotAllowed()
        candidate = (root / relative).resolve() if relative else root / "index.html"
        if not candidate.is_relative_to(root) or not candidate.is_file():
            candidate = root / "index.html"
            if not candidate.is_file():
                raise NotFound("The app has not been built (run `make run`).")
        immutable = candidate.parent == root / "assets"
        response = FileResponse(candidate)
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "no-cache"
        )
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(self), geolocation=(self)"
        return response

    # All methods reach the handler so an unknown /api path is a 404, not a 405.
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return [Route("/{path:path}", serve, methods=methods)]
