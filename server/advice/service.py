"""Reading the advice catalogue in force, and which ticks name a version that exists."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.advice.models import AdviceItem
from server.advice.schemas import AdviceCatalogue, AdviceItemOut, AdviceItemRecord


async def catalogue_in_force() -> AdviceCatalogue:
    """The current, unretired items in display order, with a version the phone can compare."""
    items = await AdviceItem.filter(current=True, retired=False).order_by("position", "item_id")
    version = hashlib.sha256(
        ",".join(f"{i.item_id}:{i.item_version}" for i in items).encode()
    ).hexdigest()[:16]
    return AdviceCatalogue(
        version=version,
        items=[
            AdviceItemOut(
                id=i.item_id,
                version=i.item_version,
                category=i.category,
                title=i.title,
                body=i.body,
                tags=list(i.tags),
            )
            for i in items
        ],
    )


def advice_record(row: AdviceItem) -> AdviceItemRecord:
    """One version as the phone receives it by sync."""
    return AdviceItemRecord(
        item_id=row.item_id,
        version=row.item_version,
        category=row.category,
        title=row.title,
        body=row.body,
        tags=list(row.tags),
        position=row.position,
        current=row.current,
        retired=row.retired,
    )


@dataclass
class KnownTicks:
    """Which advice ticks name a version of a catalogue item (retired versions are known),
    for one batch (a push): the catalogue's (item, version) pairs are read once, on the first
    tick, inside the batch's transaction, rather than once per visit."""

    connection: BaseDBAsyncClient
    _known: set[tuple[str, int]] | None = None

    async def unknown(self, ticks: Iterable[Any]) -> list[dict[str, Any]]:
        """The ticks that name no version of any catalogue item.

        A tick is ``{"id": item id, "version": n}`` as validated by the visit schema; a phone
        that ticked an item before it was edited or retired keeps the version it was given.
        """
        wanted = [t for t in ticks if isinstance(t, dict)]
        if not wanted:
            return []
        if self._known is None:
            pairs = (
                await AdviceItem.all()
                .using_db(self.connection)
                .values_list("item_id", "item_version")
            )
            self._known = {(str(item_id), int(version)) for item_id, version in pairs}
        return [t for t in wanted if (t.get("id"), t.get("version")) not in self._known]
