"""The default prevention advice catalogue for residential burglary (data).

``doorstep migrate`` installs it into a database that has no catalogue yet, so an install done
the documented way offers advice to tick (the phone waits for a catalogue before a visit can
record advice); ``doorstep seed-demo`` adds any default item still missing.

Ordered and tagged by the evidence: the College of Policing review finds window locks, interior
lights on timers, double locks or deadbolts and exterior sensor lights together ("WIDE")
protect well, while a burglar alarm on its own does not. Administrators edit this as data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

from server.advice.admin import Draft, install_items
from server.advice.models import AdviceItem


class AdviceSeed(TypedDict):
    """One catalogue item as shipped."""

    item_id: str
    category: str
    title: str
    body: str
    tags: list[str]


DEFAULT_ADVICE: list[AdviceSeed] = [
    {
        "item_id": "wide-window-locks",
        "category": "Doors and windows",
        "title": "Fit key-operated window locks",
        "body": "Lock every window, including upstairs and small ones, and keep the keys out of "
        "sight and away from the window. Part of the WIDE combination that protects best.",
        "tags": ["wide"],
    },
    {
        "item_id": "wide-interior-timer-lights",
        "category": "Lighting",
        "title": "Put interior lights on timers",
        "body": "Use plug-in or smart timers so the home looks occupied after dark. Part of the "
        "WIDE combination that protects best.",
        "tags": ["wide"],
    },
    {
        "item_id": "wide-double-locks",
        "category": "Doors and windows",
        "title": "Double-lock doors or fit deadbolts",
        "body": "On uPVC doors lift the handle and turn the key; on timber doors fit a "
        "five-lever mortice deadlock to BS 3621. Part of the WIDE combination.",
        "tags": ["wide"],
    },
    {
        "item_id": "wide-exterior-sensor-lights",
        "category": "Lighting",
        "title": "Fit dusk-to-dawn or sensor lights outside",
        "body": "Light the front and back of the house, paths and side passages. Part of the "
        "WIDE combination that protects best.",
        "tags": ["wide"],
    },
    {
        "item_id": "lock-when-home",
        "category": "Habits",
        "title": "Lock doors and windows even when you are at home",
        "body": "Many burglaries happen through unlocked doors while people are in the garden "
        "or upstairs.",
        "tags": [],
    },
    {
        "item_id": "car-keys-away",
        "category": "Car-key burglary",
        "title": "Keep keys away from doors and windows",
        "body": "Keep house and car keys out of sight, away from the letterbox and windows, "
        "so they cannot be fished or seen.",
        "tags": ["car_key"],
    },
    {
        "item_id": "signal-blocking-pouch",
        "category": "Car-key burglary",
        "title": "Keep keyless car fobs in a signal-blocking pouch",
        "body": "A Faraday pouch or metal tin stops relay attacks on keyless entry cars.",
        "tags": ["car_key"],
    },
    {
        "item_id": "letterbox-guard",
        "category": "Doors and windows",
        "title": "Fit a letterbox guard or cage",
        "body": "Stops keys being fished through the letterbox and hands reaching the lock.",
        "tags": ["car_key"],
    },
    {
        "item_id": "secure-doors-standards",
        "category": "Doors and windows",
        "title": "Replace weak doors and windows with tested products",
        "body": "Look for PAS 24 doors and windows, BS 3621 locks and TS007 (3-star) or "
        "SS312 Diamond cylinders to resist lock snapping.",
        "tags": [],
    },
    {
        "item_id": "door-viewer-chain",
        "category": "Bogus callers",
        "title": "Fit a door viewer and a door chain or limiter",
        "body": "Look before you open, and open on the chain to callers you do not know.",
        "tags": ["bogus_caller"],
    },
    {
        "item_id": "bogus-callers",
        "category": "Bogus callers",
        "title": "Check the identity of every caller",
        "body": "Genuine callers carry ID and will wait while you phone their company using a "
        "number you find yourself. If in doubt, keep them out. Consider a password scheme "
        "with utility companies.",
        "tags": ["bogus_caller"],
    },
    {
        "item_id": "visible-alarm",
        "category": "Alarms",
        "title": "Consider a visible monitored alarm, alongside the WIDE measures",
        "body": "An alarm on its own protects less well than good locks and lighting; use it "
        "as an addition, not instead.",
        "tags": [],
    },
    {
        "item_id": "mark-register-property",
        "category": "Property",
        "title": "Mark and register your valuables",
        "body": "Use the property-marking kit and register items on the supplier's database and "
        "on Immobilise, with photos and serial numbers, so they can be traced and returned.",
        "tags": ["property_marking"],
    },
    {
        "item_id": "shed-garage",
        "category": "Outbuildings",
        "title": "Secure sheds and garages",
        "body": "Fit a closed-shackle padlock and hasp, secure tools that could be used to break "
        "in, and lock ladders away.",
        "tags": [],
    },
    {
        "item_id": "community-messaging",
        "category": "Community",
        "title": "Sign up to community messaging",
        "body": "Get alerts and prevention advice about crime in your area from your local "
        "police messaging service.",
        "tags": [],
    },
    {
        "item_id": "valuables-out-of-sight",
        "category": "Habits",
        "title": "Keep valuables out of sight",
        "body": "Do not leave laptops, phones, bags or jewellery where they can be seen from "
        "outside.",
        "tags": [],
    },
]


async def load_default_catalogue(now: datetime | None = None) -> int:
    """Insert the default items that are not in the catalogue yet; returns how many were added.

    They are written through the change feed (``server.advice.admin``), so officers' phones
    receive them by sync, and with no audit row, so no audit key is needed.
    """
    drafts = [
        Draft(
            item["item_id"],
            item["category"],
            item["title"],
            item["body"],
            tuple(item["tags"]),
            position,
        )
        for position, item in enumerate(DEFAULT_ADVICE)
    ]
    return await install_items(drafts, now or datetime.now(UTC))


async def install_default_catalogue() -> int:
    """Install the default catalogue if there is no catalogue at all; returns items added.

    Only an empty catalogue is filled: once a force has one, even with items retired or
    edited by its administrators, migrating again never brings defaults back.
    """
    if await AdviceItem.exists():
        return 0
    return await load_default_catalogue()
