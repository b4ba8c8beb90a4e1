"""The same address, and earlier burglaries there: what repeat victimisation is computed from.

Two addresses are the same when their postcodes are equal (both are stored normalised) and
their first lines have the same key (``server.visits.address_key``: case, punctuation, spacing
and common abbreviations set aside). Reports and visits store that key, so candidates are found
by (postcode, key) in the database, indexed on both; a row written before the key existed has
none and is compared here, so SQLite and PostgreSQL agree exactly.

A burglary is a repeat when another burglary - a report, or a visit, with another crime
reference - happened at the same address in the twelve months before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.reports.models import Report
from server.rows import is_postgres
from server.visits.address_key import line_key
from server.visits.models import Visit

__all__ = ["AddressBook", "Burglary", "burglaries_at", "is_repeat", "line_key", "window_start"]

REPEAT_WINDOW = timedelta(days=365)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def window_start(at: datetime) -> datetime:
    """The start of the twelve months before ``at`` (the earliest time there is, near year 1)."""
    try:
        return at - REPEAT_WINDOW
    except OverflowError:
        return _EARLIEST


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
        _same_line(key),
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
    visit_query = Visit.filter(when, _same_line(key), address_postcode=postcode, deleted=False)
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


def _same_line(*keys: str) -> Q:
    """Rows whose stored key is one of ``keys``, or that have none yet (compared in Python)."""
    return Q(address_line_key__in=list(keys)) | Q(address_line_key__isnull=True)


Address = tuple[str, str]  # (postcode, line key)

# ``AddressBook.load`` on PostgreSQL: reports and (live) visits at the batch's postcodes with one
# of its line keys, or none stored yet, in one prepared statement whatever the batch (the
# same rows as the two tortoise queries SQLite runs).
_AT_ADDRESSES = (
    "SELECT 'report' AS kind, id, address_postcode, address_line1, reference_crime_reference,"
    " reference_reported_at AS at FROM report"
    " WHERE address_postcode = ANY($1::text[])"
    " AND (address_line_key = ANY($2::text[]) OR address_line_key IS NULL)"
    " UNION ALL"
    " SELECT 'visit', id, address_postcode, address_line1, reference_crime_reference,"
    " coalesce(reference_reported_at, created_at) FROM visit"
    " WHERE address_postcode = ANY($1::text[])"
    " AND (address_line_key = ANY($2::text[]) OR address_line_key IS NULL) AND NOT deleted"
)


@dataclass
class AddressBook:
    """The stored burglaries at the addresses one batch (a push, an intake) asks about, read as
    bare columns in one query of reports and one of visits for the whole batch (``load``), so
    a batch of n visits costs two indexed lookups, not n queries, and reads only the rows at
    its own addresses - not every burglary at their postcodes (a shift's visits on one street
    made each push read the whole street's history). Read inside the batch's transaction;
    what the batch itself writes is not in it, as it would not be in a query per visit."""

    connection: BaseDBAsyncClient | None = None
    # (postcode, line key) -> (when, as an aware time, or None; the burglary)
    _by_address: dict[Address, list[tuple[datetime | None, Burglary]]] = field(default_factory=dict)

    async def load(self, addresses: Iterable[tuple[str | None, str | None]]) -> None:
        """Read the burglaries at these (postcode, first line) addresses not read yet."""
        wanted = {
            (postcode, line_key(line1)) for postcode, line1 in addresses if postcode and line1
        } - set(self._by_address)
        if not wanted:
            return
        postcodes = sorted({postcode for postcode, _ in wanted})
        keys = sorted({key for _, key in wanted})
        found: dict[Address, list[tuple[datetime | None, Burglary]]] = {a: [] for a in wanted}

        def add(postcode: str, line1: str | None, burglary: Burglary) -> None:
            at = _aware(burglary.at) if burglary.at is not None else None
            rows = found.get((postcode, line_key(line1)))
            if rows is not None:  # another address sharing a postcode or a key with one asked
                rows.append((at, burglary))

        connection = self.connection or connections.get("default")
        if is_postgres(connection):
            for row in await connection.execute_query_dict(_AT_ADDRESSES, [postcodes, keys]):
                record_id = uuid.UUID(int=row["id"].int)
                kind, reference = row["kind"], row["reference_crime_reference"]
                burglary = Burglary(kind, record_id, reference, row["at"], None)
                add(row["address_postcode"], row["address_line1"], burglary)
            self._by_address.update(found)
            return
        where = _same_line(*keys)
        for r in (
            await Report.filter(where, address_postcode__in=postcodes)
            .using_db(self.connection)
            .values(
                "id",
                "address_postcode",
                "address_line1",
                "reference_crime_reference",
                "reference_reported_at",
            )
        ):
            burglary = Burglary(
                "report", r["id"], r["reference_crime_reference"], r["reference_reported_at"], None
            )
            add(r["address_postcode"], r["address_line1"], burglary)
        for v in (
            await Visit.filter(where, address_postcode__in=postcodes, deleted=False)
            .using_db(self.connection)
            .values(
                "id",
                "address_postcode",
                "address_line1",
                "reference_crime_reference",
                "reference_reported_at",
                "created_at",
            )
        ):
            at = v["reference_reported_at"] or v["created_at"]
            burglary = Burglary("visit", v["id"], v["reference_crime_reference"], at, None)
            add(v["address_postcode"], v["address_line1"], burglary)
        self._by_address.update(found)

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
        await self.load([(postcode, line1)])
        since, until = _aware(since), _aware(until)
        at_address = self._by_address.get((postcode, line_key(line1)), [])
        return [b for at, b in at_address if at is not None and since <= at < until]


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive UTC times for timestamp columns read as values.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
