"""The ASGI entry point for uvicorn workers: settings come from the environment."""

from __future__ import annotations

from server.app import create_app

app = create_app()
