"""``doorstep import-reports FILE.csv``: intake from a force's spreadsheet export.

The file's rows go through the very intake the API uses (same validation, same outcomes,
idempotent on the crime reference); what differs is only the shape. One row per report,
columns named below (any order; unknown columns refuse the file so a typo is not silently
ignored). Rows are numbered as a spreadsheet shows them: the header is row 1. Times may carry
an offset (ISO 8601) or be local UK time (``2026-11-22 18:40`` or ``22/11/2026 18:40``).
A row is numbered by its line in the file (header = 1), as a spreadsheet shows it unless a
cell spans lines (then the record's last line).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.context import RequestContext
from server.reports.intake import IntakeRow, intake
from server.reports.schemas import MAX_BATCH, IntakeResult, RowProblem

UK = ZoneInfo("Europe/London")
# CSV column -> the report's dotted path (or intake's own field).
COLUMNS: dict[str, str] = {
    "crime_reference": "reference.crime_reference",
    "incident_number": "reference.incident_number",
    "reported_at": "reference.reported_at",
    "offence_type": "offence.type",
    "address_line1": "address.line1",
    "address_line2": "address.line2",
    "town": "address.town",
    "postcode": "address.postcode",
    "victim_name": "victim.name",
    "victim_phone": "victim.phone",
    "victim_email": "victim.email",
    "vulnerabilities": "victim.vulnerabilities",
    "repeat_victim": "victim.repeat_victim",
    "team": "team",
    "area": "area",
    "updated_at": "updated_at",
}
REQUIRED = ("crime_reference", "reported_at", "offence_type", "address_line1", "postcode")
_PATHS = {path: column for column, path in COLUMNS.items()}
_TIMES = ("reported_at", "updated_at")
_YES, _NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


class BadFile(ValueError):
    """The file cannot be read as a reports export at all (nothing is taken in)."""


def _time(value: str) -> str:
    """An ISO 8601 time with an offset, from an ISO time or a local UK one."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        for pattern in _LOCAL_FORMATS:
            try:
                parsed = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError("not a date and time (e.g. 2026-11-22 18:40)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UK)
    return parsed.isoformat()


def _cell(column: str, value: str) -> Any:
    if column in _TIMES:
        return _time(value)
    if column == "vulnerabilities":
        return [v.strip().lower() for v in value.replace("|", ";").split(";") if v.strip()]
    if column == "repeat_victim":
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise ValueError("yes or no")
    return value


def row_data(cells: dict[str, str]) -> tuple[dict[str, Any], list[RowProblem]]:
    """One CSV row as intake's nested record, and the cells that could not be read."""
    data: dict[str, Any] = {}
    problems: list[RowProblem] = []
    for column, raw in cells.items():
        value = (raw or "").strip()
        if not value:
            continue
        try:
            converted = _cell(column, value)
        except ValueError as exc:
            problems.append(RowProblem(field=COLUMNS[column], message=str(exc)))
            continue
        *parents, leaf = COLUMNS[column].split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = converted
    return data, problems


def column_of(field: str) -> str:
    """The CSV column a validation problem's dotted field came from."""
    base = field.split("[")[0]
    for path in sorted(_PATHS, key=len, reverse=True):
        if base == path or base.startswith(path + "."):
            return _PATHS[path]
    return base.split(".")[0] or "row"


def read_rows(text: str) -> Iterator[IntakeRow]:
    """The file's rows, numbered by line (header = row 1)."""
    reader = csv.DictReader(io.StringIO(text), restkey="__extra__")
    header = [h.strip().lower() for h in reader.fieldnames or []]
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise BadFile(f"unknown columns: {', '.join(unknown)} (see docs/intake.md)")
    missing = [c for c in REQUIRED if c not in header] + (
        [] if {"team", "area"} & set(header) else ["team or area"]
    )
    if missing:
        raise BadFile(f"missing columns: {', '.join(missing)}")
    reader.fieldnames = header
    for cells in reader:
        number = reader.line_num  # the record's (last) line: blank lines are counted too
        if cells.pop("__extra__", None):
            problem = RowProblem(field="", message="more cells than the header has columns")
            yield IntakeRow(number, {}, [problem])
            continue
        if not any((v or "").strip() for v in cells.values()):
            continue  # a blank line
        data, problems = row_data({k: v for k, v in cells.items() if k})
        yield IntakeRow(number, data, problems)


async def import_reports(text: str, *, ctx: RequestContext, name: str) -> IntakeResult:
    """Take in every row of an export, a batch of up to 500 rows per transaction."""
    rows = list(read_rows(text))
    results = []
    for start in range(0, len(rows), MAX_BATCH):
        batch = rows[start : start + MAX_BATCH]
        done = await intake(batch, ctx=ctx, author="import", reason=f"csv import {name}"[:200])
        results += done.results
    for result in results:
        for problem in result.problems:
            problem.field = column_of(problem.field)
    counts = {o: sum(r.outcome.value == o for r in results) for o in _OUTCOMES}
    return IntakeResult(received=len(results), results=results, **counts)


_OUTCOMES = ("created", "amended", "unchanged", "stale", "refused")
