"""Reading the advice catalogue in force."""

from __future__ import annotations

import hashlib

from server.advice.models import AdviceItem
from server.advice.schemas import AdviceCatalogue, AdviceItemOut


async def catalogue_in_force() -> AdviceCatalogue:
    """The current, unretired items in display order, with a version the phone can compare."""
    items = await AdviceItem.filter(current=True, retired=False).order_by("position", "item_id")
    version = hashlib.sha256(
        ",".join(f"{i.item_id}:{i.version}" for i in items).encode()
    ).hexdigest()[:16]
    return AdviceCatalogue(
        version=version,
        items=[
            AdviceItemOut(
                id=i.item_id,
                version=i.version,
                category=i.category,
                title=i.title,
                body=i.body,
                tags=list(i.tags),
            )
            for i in items
        ],
    )
