"""The same address, and earlier burglaries there: what repeat victimisation is computed from.

Two addresses are the same when their postcodes are equal (both are stored normalised) and
their first lines are equal once case, punctuation, spacing and common abbreviations ("Rd",
"St") are set aside. Candidates are found by postcode in the database (indexed on reports and
visits alike) and compared here, so SQLite and PostgreSQL agree exactly.

A burglary is a repeat when another burglary - a report, or a visit, with another crime
reference - happened at the same address in the twelve months before it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.reports.models import Report
from server.visits.models import Visit

REPEAT_WINDOW = timedelta(days=365)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_WORDS = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "cres": "crescent",
    "dr": "drive",
    "ln": "lane",
    "cl": "close",
    "ct": "court",
    "pl": "place",
    "gdns": "gardens",
    "sq": "square",
    "tce": "terrace",
}


def window_start(at: datetime) -> datetime:
    """The start of the twelve months before ``at`` (the earliest time there is, near year 1)."""
    try:
        return at - REPEAT_WINDOW
    except OverflowError:
        return _EARLIEST


def line_key(line1: str | None) -> str:
    """A first line as compared: lower case, words only, abbreviations spelt out."""
    words = re.sub(r"[^a-z0-9]+", " ", (line1 or "").lower()).split()
    return " ".join(_WORDS.get(word, word) for word in words)


@dataclass(frozen=True)
class Burglary:
    """A report or visit at an address, as history lists it."""

    kind: str  # "report" or "visit"
    id: uuid.UUID
    crime_reference: str | None
    at: datetime
    row: object  # the Report or Visit row (or a report being taken in)


async def burglaries_at(
    postcode: str,
    line1: str,
    since: datetime,
    until: datetime,
    connection: BaseDBAsyncClient | None = None,
    *,
    reports: Q | None = None,
    visits: Q | None = None,
) -> list[Burglary]:
    """Reports and (non-deleted) visits at this address reported in ``[since, until)``.

    A visit's time is its reported-at, or when it was started if the officer left that blank.
    ``reports`` and ``visits`` narrow the search (a caller's scope); newest first.
    """
    key = line_key(line1)
    found: list[Burglary] = []
    report_query = Report.filter(
        address_postcode=postcode,
        reference_reported_at__gte=since,
        reference_reported_at__lt=until,
    )
    if reports is not None:
        report_query = report_query.filter(reports)
    for r in await report_query.using_db(connection):
        if line_key(r.address_line1) == key:
            found.append(
                Burglary("report", r.id, r.reference_crime_reference, r.reference_reported_at, r)
            )
    when = Q(reference_reported_at__gte=since, reference_reported_at__lt=until) | Q(
        reference_reported_at__isnull=True, created_at__gte=since, created_at__lt=until
    )
    visit_query = Visit.filter(when, address_postcode=postcode, deleted=False)
    if visits is not None:
        visit_query = visit_query.filter(visits)
    for v in await visit_query.using_db(connection):
        if line_key(v.address_line1) == key:
            at = v.reference_reported_at or v.created_at
            found.append(Burglary("visit", v.id, v.reference_crime_reference, at, v))
    return sorted(found, key=lambda b: (b.at, str(b.id)), reverse=True)


def is_repeat(
    earlier: Iterable[Burglary], crime_reference: str | None, exclude: Iterable[uuid.UUID] = ()
) -> bool:
    """Whether any earlier burglary is another crime than this one (and not its own records)."""
    own = set(exclude)
    return any(
        b.id not in own and (crime_reference is None or b.crime_reference != crime_reference)
        for b in earlier
    )


@dataclass
class AddressBook:
    """Every stored burglary at the postcodes one batch (a push, an intake) asks about, read
    once per postcode as bare columns and kept by address (line key), so a batch of n visits
    costs one query per postcode rather than n queries each loading every row at the postcode
    as objects (a shift's visits on one street made each push quadratic), and each visit
    looks only at the rows of its own address. Read inside the batch's transaction; what
    the batch itself writes is not in it, as it would not be in a query per visit either."""

    connection: BaseDBAsyncClient | None = None
    # postcode -> line key -> (when, as an aware time, or None; the burglary)
    _by_postcode: dict[str, dict[str, list[tuple[datetime | None, Burglary]]]] = field(
        default_factory=dict
    )

    async def _at(self, postcode: str) -> dict[str, list[tuple[datetime | None, Burglary]]]:
        if postcode not in self._by_postcode:
            rows: dict[str, list[tuple[datetime | None, Burglary]]] = {}

            def add(line1: str | None, burglary: Burglary) -> None:
                at = _aware(burglary.at) if burglary.at is not None else None
                rows.setdefault(line_key(line1), []).append((at, burglary))

            for r in (
                await Report.filter(address_postcode=postcode)
                .using_db(self.connection)
                .values("id", "address_line1", "reference_crime_reference", "reference_reported_at")
            ):
                at = r["reference_reported_at"]
                add(
                    r["address_line1"],
                    Burglary("report", r["id"], r["reference_crime_reference"], at, None),
                )
            for v in (
                await Visit.filter(address_postcode=postcode, deleted=False)
                .using_db(self.connection)
                .values(
                    "id",
                    "address_line1",
                    "reference_crime_reference",
                    "reference_reported_at",
                    "created_at",
                )
            ):
                at = v["reference_reported_at"] or v["created_at"]
                add(
                    v["address_line1"],
                    Burglary("visit", v["id"], v["reference_crime_reference"], at, None),
                )
            self._by_postcode[postcode] = rows
        return self._by_postcode[postcode]

    async def repeat_before(
        self,
        postcode: str,
        line1: str,
        at: datetime,
        crime_reference: str | None,
        exclude: Iterable[uuid.UUID] = (),
    ) -> bool:
        """Whether the burglary reported ``at`` this address is a repeat (the server's flag)."""
        earlier = await self.earlier(postcode, line1, window_start(at), at)
        return is_repeat(earlier, crime_reference, exclude)

    async def earlier(
        self, postcode: str, line1: str, since: datetime, until: datetime
    ) -> list[Burglary]:
        """Stored burglaries at this address reported in ``[since, until)``."""
        key, since, until = line_key(line1), _aware(since), _aware(until)
        at_address = (await self._at(postcode)).get(key, [])
        return [b for at, b in at_address if at is not None and since <= at < until]


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive UTC times for timestamp columns read as values.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
