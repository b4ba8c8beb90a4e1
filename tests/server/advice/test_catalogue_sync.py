"""The catalogue as data: administrators add, edit (a new version) and retire items; officers'
phones get every change by sync, offline ones when they come back; the push refuses ticks of
versions that do not exist and keeps accepting the versions ticks were given."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from harness.phone import Phone, new_id
from server.advice.catalogue import load_default_catalogue
from server.advice.models import advice_record_id
from server.audit.models import AuditEvent
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


def _catalogue(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The advice records among pulled changes, by record id."""
    return {c["id"]: c for c in changes if c["collection"] == "advice_items"}


async def test_administrators_add_edit_and_retire_items(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    added = await admin.post(
        "/api/admin/advice",
        json={
            "category": "Outbuildings",
            "title": "Lock the shed",
            "body": "Use a padlock.",
            "tags": ["shed"],
        },
    )
    assert added.status_code == 201, added.text
    assert (added.json()["item_id"], added.json()["version"]) == ("lock-the-shed", 1)
    taken = await admin.post(
        "/api/admin/advice",
        json={"item_id": "lock-the-shed", "category": "C", "title": "T", "body": "B"},
    )
    assert taken.status_code == 409

    edited = await admin.put("/api/admin/advice/lock-the-shed", json={"title": "Lock sheds"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert edited.json()["body"] == "Use a padlock."  # copied from the version before
    retired = await admin.post("/api/admin/advice/lock-the-shed/retire", json={"reason": "dup"})
    assert retired.json()["retired"] is True
    again = await admin.post("/api/admin/advice/lock-the-shed/retire", json={})
    assert again.status_code == 200
    assert (
        await admin.put("/api/admin/advice/lock-the-shed", json={"title": "X"})
    ).status_code == 409
    assert (
        await admin.put("/api/admin/advice/no-such-item", json={"title": "X"})
    ).status_code == 404
    assert (
        await admin.put("/api/admin/advice/Not%20An%20Id", json={"title": "X"})
    ).status_code == 404

    versions = (await admin.get("/api/admin/advice")).json()["items"]
    shed = [
        (v["version"], v["current"], v["retired"])
        for v in versions
        if v["item_id"] == "lock-the-shed"
    ]
    assert shed == [(2, True, True), (1, False, False)]
    rows = await AuditEvent.filter(record_type="advice_items").order_by("id")
    assert [r.action.value for r in rows] == ["collect", "alter", "collect", "alter"]
    assert rows[-1].reason == "advice lock-the-shed retired: dup"


async def test_a_catalogue_change_reaches_an_offline_phone_by_sync(enrolled: Enrolled) -> None:
    await load_default_catalogue()
    admin = (await enrolled(role="admin")).client
    officer = await enrolled()
    phone = Phone(officer.client)
    first = _catalogue(await phone.pull_all())
    assert len(first) == 16
    alarm_v1 = str(advice_record_id("visible-alarm", 1))
    assert first[alarm_v1]["record"]["current"] is True
    consulted = await AuditEvent.filter(record_type="advice_items").count()
    assert consulted == 0  # the catalogue is nobody's personal data: not logged as consulted

    # The phone goes offline; the catalogue changes three ways meanwhile.
    await admin.put("/api/admin/advice/visible-alarm", json={"body": "Alongside WIDE only."})
    await admin.post("/api/admin/advice/shed-garage/retire", json={"reason": "merged"})
    await admin.post(
        "/api/admin/advice",
        json={"category": "Habits", "title": "Close garage doors", "body": "Even when at home."},
    )

    later = _catalogue(await phone.pull_all())
    alarm_v2 = str(advice_record_id("visible-alarm", 2))
    assert later[alarm_v1]["record"]["current"] is False
    expected = {
        "item_id": "visible-alarm",
        "version": 2,
        "body": "Alongside WIDE only.",
        "current": True,
        "retired": False,
    }
    assert {k: later[alarm_v2]["record"][k] for k in expected} == expected
    assert later[str(advice_record_id("shed-garage", 1))]["record"]["retired"] is True
    assert later[str(advice_record_id("close-garage-doors", 1))]["record"]["version"] == 1
    assert len(later) == 4  # exactly what changed, once each
    assert await phone.pull_all() == []
    supervisor = Phone((await enrolled(role="supervisor")).client)
    assert await supervisor.pull_all() == []  # supervisors work online


async def test_the_push_refuses_ticks_not_in_the_catalogue_and_keeps_old_versions(
    enrolled: Enrolled,
) -> None:
    await load_default_catalogue()
    admin = (await enrolled(role="admin")).client
    phone = Phone((await enrolled()).client)
    visit_id = new_id()
    ticked = {
        "advice.items": [{"id": "visible-alarm", "version": 1}, {"id": "shed-garage", "version": 1}]
    }
    # Ticked offline before the edit and the retirement arrive: still accepted afterwards.
    await admin.put("/api/admin/advice/visible-alarm", json={"title": "Consider an alarm"})
    await admin.post("/api/admin/advice/shed-garage/retire", json={})
    accepted = await phone.push(phone.mutation("visits", visit_id, ticked))
    assert accepted.json()["results"][0]["status"] == "applied", accepted.text

    unknown = await phone.push(
        phone.mutation(
            "visits",
            visit_id,
            {
                "victim.name": "Ann Smith",
                "advice.items": [
                    {"id": "visible-alarm", "version": 7},
                    {"id": "made-up", "version": 1},
                ],
            },
            base_rev=1,
        )
    )
    result = unknown.json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "validation_failed"
    assert result["error"]["details"]["field"] == "advice.items"
    assert result["error"]["details"]["unknown"] == [
        {"id": "visible-alarm", "version": 7},
        {"id": "made-up", "version": 1},
    ]

    read_only = await phone.push(
        phone.mutation("advice_items", str(advice_record_id("visible-alarm", 2)), {"title": "x"})
    )
    refused = read_only.json()["results"][0]
    assert refused["status"] == "rejected"
    assert refused["error"]["code"] == "read_only"
    assert refused["error"]["details"] == {"field": "collection", "reason": "read_only"}
