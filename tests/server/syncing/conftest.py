"""Helpers for sync tests: a phone with its own client_id and seq counter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

AT = "2026-11-23T09:00:00.000Z"


@dataclass
class Phone:
    """One app install: pushes numbered mutations and pulls the feed, like the PWA."""

    client: httpx.AsyncClient
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    seq: int = 0
    cursor: str | None = None

    def mutation(
        self,
        collection: str,
        record_id: str,
        fields: dict[str, Any] | None = None,
        *,
        op: str = "put",
        base_rev: int | None = None,
        at: str = AT,
    ) -> dict[str, Any]:
        """The next queued mutation (takes a seq)."""
        self.seq += 1
        return {
            "seq": self.seq,
            "collection": collection,
            "id": record_id,
            "op": op,
            "base_rev": base_rev,
            "fields": fields or {},
            "at": at,
        }

    async def push(self, *mutations: dict[str, Any]) -> httpx.Response:
        """Push mutations as given."""
        return await self.client.post(
            "/api/sync/push", json={"client_id": self.client_id, "mutations": list(mutations)}
        )

    async def pull_all(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Follow the cursor until has_more is false; returns every change seen."""
        changes: list[dict[str, Any]] = []
        while True:
            response = await self.client.post(
                "/api/sync/pull",
                json={"client_id": self.client_id, "cursor": self.cursor, "limit": limit},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            changes += body["changes"]
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return changes


def new_id() -> str:
    """A record id as the phone makes it."""
    return str(uuid.uuid4())
