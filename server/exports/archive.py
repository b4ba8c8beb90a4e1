"""``GET /api/exports/visits.zip``: every collection as its own file in one zip, streamed.

The zip is written to a sink that the response drains after each page of visits, so memory
stays bounded by one page whatever the export's size (zip entries carry data descriptors; no
seeking back). Each file is one pass over the same visits - those in the caller's scope,
matching the filters and created before the export began, so the files agree - newest first,
500 at a time. CSV cells a spreadsheet would run as formulas are neutralised as in the visit
CSV; JSON Lines keep values as they are (a JSON reader runs nothing). Each page's records are
audited as disclosed, with the reason, once they are written.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python

from server.context import RequestContext
from server.exports.tables import Names, Row, disclosures, tables
from server.supervision.export import escape_cell
from server.supervision.schemas import VisitFilters
from server.supervision.scoped import After, filtered_visits, newest_first

PAGE = 500


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken away as they come (not seekable)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def csv_cell(value: Any) -> str:
    """A cell as text: lists of objects as JSON, the rest as the visit CSV writes them."""
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        value = json.dumps(to_jsonable_python(value), ensure_ascii=False, sort_keys=True)
    return escape_cell(value)


def encode(rows: list[Row], columns: tuple[str, ...], fmt: str) -> bytes:
    """Rows as CSV lines (escaped) or JSON Lines."""
    if fmt == "jsonl":
        return "".join(
            json.dumps(to_jsonable_python({c: r.get(c) for c in columns}), ensure_ascii=False)
            + "\n"
            for r in rows
        ).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([csv_cell(r.get(c)) for c in columns] for r in rows)
    return buffer.getvalue().encode()


async def visit_pages(
    ctx: RequestContext, filters: VisitFilters, until: datetime
) -> AsyncIterator[list[Any]]:
    """The caller's visits matching the filters, created up to ``until``, a page at a time."""
    query = filtered_visits(ctx.caller, ctx.settings, filters).filter(created_at__lte=until)
    after: After | None = None
    while rows := await newest_first(query, after, PAGE):
        yield rows
        after = (rows[-1].created_at, rows[-1].id)


async def stream_zip(
    filters: VisitFilters, fmt: str, reason: str, *, ctx: RequestContext
) -> AsyncIterator[bytes]:
    """The zip, a piece at a time; each page of records audited as it is written."""
    sink = _Sink()
    names = await Names.load()
    recipient = f"visits.zip export ({fmt})"
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables():
            with archive.open(f"{table.name}.{fmt}", "w", force_zip64=True) as entry:
                if fmt == "csv":
                    entry.write(encode([{c: c for c in table.columns}], table.columns, fmt))
                async for visits in visit_pages(ctx, filters, ctx.now):
                    rows, records = await table.rows(visits, names)
                    entry.write(encode(rows, table.columns, fmt))
                    await ctx.write_audit(disclosures(ctx, records, reason, recipient))
                    if data := sink.take():
                        yield data
            if data := sink.take():
                yield data
    yield sink.take()
