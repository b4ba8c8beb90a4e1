"""The advice catalogue the phone caches (``GET /api/advice``, unchanged for today's phones)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from server.advice.catalogue import load_default_catalogue
from server.advice.models import AdviceItem
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def test_get_advice_lists_catalogue_in_force_with_version(
    officer_client: httpx.AsyncClient, enrolled: Enrolled
) -> None:
    assert await load_default_catalogue() == 16
    assert await load_default_catalogue() == 0  # only what is missing
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
    admin = (await enrolled(role="admin")).client
    edited = await admin.put(
        "/api/admin/advice/visible-alarm", json={"body": "An alarm helps alongside locks."}
    )
    assert edited.status_code == 200, edited.text
    second = (await officer_client.get("/api/advice")).json()
    assert second["version"] != first["version"]
    alarm = next(i for i in second["items"] if i["id"] == "visible-alarm")
    assert alarm["version"] == 2
    assert await AdviceItem.filter(item_id="visible-alarm").count() == 2
