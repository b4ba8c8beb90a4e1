"""The advice catalogue the phone caches."""

from __future__ import annotations

import httpx

from server.advice.catalogue import load_default_catalogue
from server.advice.models import AdviceItem


async def test_get_advice_lists_catalogue_in_force_with_version(
    officer_client: httpx.AsyncClient,
) -> None:
    await load_default_catalogue()
    first = (await officer_client.get("/api/advice")).json()
    assert len(first["items"]) == 16
    ids = [i["id"] for i in first["items"]]
    assert ids[:4] == [
        "wide-window-locks",
        "wide-interior-timer-lights",
        "wide-double-locks",
        "wide-exterior-sensor-lights",
    ]
    # A new version of one item changes the catalogue version; the old version stays stored.
    old = await AdviceItem.get(item_id="visible-alarm")
    old.current = False
    await old.save()
    await AdviceItem.create(
        item_id="visible-alarm",
        version=2,
        category=old.category,
        title=old.title,
        body=old.body + " Updated.",
        tags=[],
        position=old.position,
    )
    second = (await officer_client.get("/api/advice")).json()
    assert second["version"] != first["version"]
    alarm = next(i for i in second["items"] if i["id"] == "visible-alarm")
    assert alarm["version"] == 2
    assert await AdviceItem.filter(item_id="visible-alarm").count() == 2
