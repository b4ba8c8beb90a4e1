"""Creating many accounts from a CSV file, with an outcome for every row.

A force moving to Doorstep has its officers in a spreadsheet. Each row is checked on its own
against the same rules as ``POST /api/admin/officers`` and created in its own transaction, so
a bad row (a collar number taken, a team in another area, an e-mail address mistyped) is
reported with its line and field while the good rows are created. A dry run checks every row
and creates nothing, so an administrator can fix the file first. A header that cannot be read
refuses the whole file (422): nothing could be matched to its columns.

Teams named in the file are created, with their area, when new (as for a single account); the
answer lists them, so a mistyped team name is seen. Messages never repeat a cell's value.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import Conflict, ValidationFailed, validation_problems
from server.org.models import Area, Officer, Team
from server.org.schemas import CreateOfficerRequest, ImportResult, ImportRow, RowProblem
from server.org.service import DEFAULT_AREA, code_of, create_from, places_created

REQUIRED = ("collar_number", "display_name", "role", "team")
OPTIONAL = ("area", "supervision_scope", "contact_phone", "contact_email")
MAX_ROWS = 5000


def _header(reader: csv.DictReader[str]) -> None:
    names = [n.strip() for n in (reader.fieldnames or [])]
    problems = [
        {"field": f"csv.{n}", "message": "a required column is missing", "type": "missing"}
        for n in REQUIRED
        if n not in names
    ]
    problems += [
        {"field": f"csv.{n or '(blank)'}", "message": "not a known column", "type": "extra"}
        for n in names
        if n not in REQUIRED + OPTIONAL
    ]
    if len(set(names)) != len(names):
        problems.append({"field": "csv", "message": "a column is named twice", "type": "value"})
    if problems:
        raise ValidationFailed.from_fields(problems)
    reader.fieldnames = names


def _rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, cells) for each non-blank data row; a file that is not CSV is refused whole."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    rows = []
    try:
        _header(reader)
        for cells in reader:
            if all(not (v or "").strip() for k, v in cells.items() if k is not None):
                continue
            rows.append((reader.line_num, cells))
            if len(rows) > MAX_ROWS:
                raise ValidationFailed.from_fields(
                    [{"field": "csv", "message": f"at most {MAX_ROWS} rows", "type": "length"}]
                )
    except csv.Error as exc:
        problem = {
            "field": "csv",
            "message": f"not readable as CSV at line {reader.line_num}",
            "type": "csv",
        }
        raise ValidationFailed.from_fields([problem]) from exc
    return rows


def _check(cells: dict[str, Any]) -> tuple[CreateOfficerRequest | None, list[RowProblem]]:
    if None in cells:
        return None, [RowProblem(field="row", message="more cells than columns")]
    data = {k: v.strip() for k, v in cells.items() if isinstance(v, str) and v.strip()}
    try:
        return CreateOfficerRequest.model_validate(data), []
    except ValidationError as exc:
        return None, [
            RowProblem(field=p["field"], message=p["message"]) for p in validation_problems(exc)
        ]


async def _conflicts(
    body: CreateOfficerRequest, seen: set[str], new_team_areas: dict[str, str]
) -> list[RowProblem]:
    """What the database (or an earlier row of the file) says against this row.

    ``new_team_areas``: the area code of each team an earlier good row creates. A dry run
    creates nothing, so without it a team new to the force named again in another area would
    be ``valid`` in the check and refused by the import.
    """
    problems = []
    if body.collar_number in seen:
        problems.append(RowProblem(field="collar_number", message="repeated in this file"))
    elif await Officer.filter(collar_number=body.collar_number).exists():
        problems.append(RowProblem(field="collar_number", message="already exists"))
    team = await Team.filter(code=code_of(body.team)).select_related("area").first()
    team_area = team.area.code if team is not None else new_team_areas.get(code_of(body.team))
    if team_area is not None and body.area is not None and team_area != code_of(body.area):
        problems.append(RowProblem(field="area", message="the team is in another area"))
    return problems


async def import_officers(text: str, dry_run: bool, *, ctx: RequestContext) -> ImportResult:
    """Check every row, create the good ones (unless a dry run); one outcome per row."""
    rows = _rows(text)
    teams_before = {str(code) for code in await Team.all().values_list("code", flat=True)}
    areas_before = {str(code) for code in await Area.all().values_list("code", flat=True)}
    outcomes: list[ImportRow] = []
    seen: set[str] = set()
    created: list[Officer] = []
    new_teams: dict[str, str] = {}
    new_team_areas: dict[str, str] = {}
    for line, cells in rows:
        collar = str(cells.get("collar_number") or "").strip()[:20]
        body, problems = _check(cells)
        if body is not None:
            problems = await _conflicts(body, seen, new_team_areas)
            seen.add(body.collar_number)
        if body is None or problems:
            outcomes.append(
                ImportRow(row=line, collar_number=collar, status="failed", errors=problems)
            )
            continue
        if code_of(body.team) not in teams_before:
            new_teams.setdefault(code_of(body.team), body.team.strip())
            # As org.service._team creates it: in the row's area, or the default one.
            new_team_areas.setdefault(code_of(body.team), code_of(body.area or DEFAULT_AREA))
        if dry_run:
            outcomes.append(ImportRow(row=line, collar_number=collar, status="valid"))
            continue
        try:
            officer = await create_from(body)
        except (Conflict, ValidationFailed) as exc:  # lost a race with another administrator
            outcomes.append(
                ImportRow(
                    row=line,
                    collar_number=collar,
                    status="failed",
                    errors=[RowProblem(field="row", message=exc.message)],
                )
            )
            continue
        created.append(officer)
        outcomes.append(
            ImportRow(row=line, collar_number=collar, status="created", officer_id=officer.id)
        )
    places = (
        await places_created(
            set(new_teams), set(new_team_areas.values()) - areas_before, "CSV import", ctx=ctx
        )
        if created
        else []
    )
    await ctx.write_audit(
        [
            *places,
            *(
                ctx.audit(
                    AuditAction.COLLECT, record_type="officer", record_id=o.id, reason="CSV import"
                )
                for o in created
            ),
        ]
    )
    return ImportResult(
        dry_run=dry_run,
        created=len(created),
        failed=sum(1 for o in outcomes if o.status == "failed"),
        teams_created=sorted(new_teams.values()),
        rows=outcomes,
    )
