"""A reported burglary (a synchronised record) and the integration credentials that send them.

Like a visit, a report's fields are columns named after their dotted path, and the paths are
the visit's own (``reference.crime_reference``, ``address.postcode``, ``victim.name``), so a
visit started from a report is filled in path by path. The server's own facts about it (its
state, who it is assigned to, the visit it is linked to) are columns too, never client paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from server.feed import SyncedRecord
from server.reports.enums import CloseReason, ReportState
from server.visits.address_key import line_key_column
from server.visits.enums import OffenceType

if TYPE_CHECKING:
    from server.org.models import Area, Officer, Team
    from server.visits.models import Visit


class Report(SyncedRecord):
    """One burglary reported to the force, from intake until it is visited or closed.

    Who may see it: supervisors through ``team``/``area`` (where it belongs); officers'
    phones through ``holder_officer_id``/``holder_team_id`` (who holds it now). The holder is
    derived from state and assignment by ``server.reports.records`` on every write.
    """

    feed_collection = "reports"
    # Locked after visits and their children: a push learns which report a visit links to
    # only once it holds the visit.
    lock_rank = 2

    # The crime system's fields (the visit's own paths).
    reference_crime_reference = fields.CharField(max_length=40, unique=True)
    reference_incident_number = fields.CharField(max_length=40, null=True)
    reference_reported_at = fields.DatetimeField(db_index=True)
    offence_type = fields.CharEnumField(OffenceType, max_length=24)
    address_line1 = fields.CharField(max_length=120)
    address_line2 = fields.CharField(max_length=120, null=True)
    address_town = fields.CharField(max_length=80, null=True)
    address_postcode = fields.CharField(max_length=10, db_index=True)
    # The server's: ``line_key(address_line1)``, kept by the feed (as on visits).
    address_line_key = fields.CharField(max_length=160, null=True)
    victim_name = fields.CharField(max_length=120)
    victim_phone = fields.CharField(max_length=32, null=True)
    victim_email = fields.CharField(max_length=254, null=True)
    victim_vulnerabilities = fields.JSONField[list[Any]](default=list)
    # The force's own repeat-victim flag, as sent.
    victim_repeat_victim = fields.BooleanField(default=False)
    # When the crime system last changed it (optional): an older delivery is stale.
    source_updated_at = fields.DatetimeField(null=True)

    # Where it belongs (supervisors' scope) and who it is assigned to.
    area: fields.ForeignKeyRelation[Area] = fields.ForeignKeyField(
        "doorstep.Area", related_name=False, on_delete=fields.RESTRICT
    )
    team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        "doorstep.Team", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    officer: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    assigned_at = fields.DatetimeField(null=True)
    # Who has it on their phone now (derived; null when nobody does).
    holder_officer_id = fields.UUIDField(null=True, db_index=True)
    holder_team_id = fields.IntField(null=True, db_index=True)

    state = fields.CharEnumField(ReportState, max_length=12, default=ReportState.AWAITING)
    # One report per visit (unique). Not named ``visit``: a report is not one of a visit's
    # child records, which follow their visit.
    linked_visit: fields.OneToOneNullableRelation[Visit] = fields.OneToOneField(
        "doorstep.Visit", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    close_reason = fields.CharEnumField(CloseReason, max_length=16, null=True)
    close_note = fields.TextField(null=True)
    closed_at = fields.DatetimeField(null=True)
    closed_by_id = fields.UUIDField(null=True)
    # Computed by the server: an earlier report or visit at the same address within a year.
    repeat_computed = fields.BooleanField(default=False)

    class Meta:
        table = "report"
        # The queue: a scope's awaiting reports, oldest first.
        indexes = (
            ("team_id", "state", "reference_reported_at"),
            ("area_id", "state", "reference_reported_at"),
            ("address_postcode", "address_line_key"),
        )

    @classmethod
    def derived_columns(cls, columns: dict[str, Any]) -> dict[str, Any]:
        return line_key_column(columns)


class Integration(Model):
    """A service credential for the force's crime system: it may send reports and nothing else.

    Only the SHA-256 of its 256-bit token is kept; the token is printed once when created.
    """

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=60, unique=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "integration"
