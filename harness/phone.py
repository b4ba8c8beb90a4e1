"""A phone that speaks the sync protocol (sync/PROTOCOL.md) over HTTP, as the app does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.images import sha256_hex

AT = "2026-11-23T09:00:00.000Z"


def new_id() -> str:
    """A record id as the phone makes it."""
    return str(uuid.uuid4())


@dataclass
class Phone:
    """One app install: pushes numbered mutations and pulls the feed, like the PWA."""

    client: httpx.AsyncClient
    client_id: str = field(default_factory=new_id)
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


@dataclass
class PhotoPhone:
    """An officer's phone that records a visit and its photos by sync (bytes go by tus)."""

    client: httpx.AsyncClient
    phone: Phone = field(init=False)

    def __post_init__(self) -> None:
        self.phone = Phone(self.client)

    async def record_photo(
        self,
        data: bytes,
        *,
        content_type: str = "image/jpeg",
        visit_id: str | None = None,
        declare: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Push a visit (if none given) and a photo's metadata; returns (visit_id, photo_id)."""
        mutations = []
        if visit_id is None:
            visit_id = new_id()
            mutations.append(self.phone.mutation("visits", visit_id, {"victim.name": "Ann Smith"}))
        photo_id = new_id()
        fields: dict[str, Any] = {
            "visit_id": visit_id,
            "category": "point_of_entry",
            "sha256": sha256_hex(data),
            "byte_size": len(data),
            "content_type": content_type,
        }
        fields.update(declare or {})
        fields = {k: v for k, v in fields.items() if v is not None}
        mutations.append(self.phone.mutation("photos", photo_id, fields))
        response = await self.phone.push(*mutations)
        assert response.status_code == 200, response.text
        statuses = [r["status"] for r in response.json()["results"]]
        assert statuses == ["applied"] * len(mutations), response.text
        return visit_id, photo_id

    async def photo_record(self, photo_id: str) -> dict[str, Any]:
        """The photo's record as the next pull delivers it."""
        changes = await self.phone.pull_all()
        found = [c for c in changes if c["id"] == photo_id]
        assert found, "the photo did not come back by pull"
        record: dict[str, Any] = found[-1]["record"]
        return record
