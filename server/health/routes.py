"""Liveness and readiness probes for the load balancer."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.db import database_answers


class Health(BaseModel):
    """Probe answer."""

    status: str


async def healthz(request: Request) -> Response:
    """Alive: the process answers HTTP."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready: the database answers a query (200), or not (503)."""
    if await database_answers():
        return JSONResponse({"status": "ready"})
    return JSONResponse(
        {
            "error": {
                "code": "database_unavailable",
                "message": "The database is not answering.",
                "details": {},
            }
        },
        status_code=503,
    )


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
]
