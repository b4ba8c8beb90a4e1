"""``GET /api/exports/{collection}``: the same tables as the zip, as paged JSON for analysts.

A page covers up to ``limit`` visits, newest first (keyset-paged, so a visit added meanwhile
never shifts a page): the visits themselves, or every record of the collection that belongs
to them. The reason is required on every page, and each page's records are audited as
disclosed when they are read.
"""

from __future__ import annotations

from pydantic_core import to_jsonable_python

from server.context import RequestContext
from server.errors import NotFound
from server.exports.schemas import ExportPage, PageExportQuery
from server.exports.tables import Names, disclosures, table_named

# The visit list's own cursor: the same keyset (created_at, id), newest first.
from server.supervision.listing import _decode_cursor as decode_cursor
from server.supervision.listing import _encode_cursor as encode_cursor
from server.supervision.schemas import VisitFilters
from server.supervision.scoped import filtered_visits, newest_first


async def export_page(name: str, query: PageExportQuery, *, ctx: RequestContext) -> ExportPage:
    """One page of one collection, audited as disclosed."""
    table = table_named(name)
    if table is None:
        raise NotFound("No such export.")
    filters = VisitFilters.model_validate(query.model_dump(exclude={"reason", "cursor", "limit"}))
    after = decode_cursor(query.cursor) if query.cursor else None
    found = await newest_first(
        filtered_visits(ctx.caller, ctx.settings, filters), after, query.limit + 1
    )
    visits = found[: query.limit]
    rows, records = await table.rows(visits, await Names.load())
    reason = query.reason.strip()
    await ctx.write_audit(disclosures(ctx, records, reason, f"export API ({name})"))
    more = len(found) > query.limit and bool(visits)
    return ExportPage(
        collection=name,
        columns=list(table.columns),
        rows=[to_jsonable_python({c: r.get(c) for c in table.columns}) for r in rows],
        visits_covered=len(visits),
        next_cursor=encode_cursor(visits[-1].created_at, visits[-1].id) if more else None,
    )
