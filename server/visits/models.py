"""The visit record and the records that hang off it (SPEC.md section 3).

Scalar fields are columns named after their dotted path (``address.postcode`` is
``address_postcode``) so that supervisors' filters and figures run in the database; lists are
JSON columns. ``server.visits.schemas`` is the one place that says which paths exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from server.feed import SyncedRecord
from server.visits.address_key import line_key_column
from server.visits.enums import (
    EntryMethod,
    EntryPoint,
    KitRecipient,
    KitRegistration,
    Occupied,
    OffenceType,
    PreferredContact,
    PropertyCategory,
    PropertyType,
    ReviewDecision,
    VisitStatus,
)

if TYPE_CHECKING:
    from server.org.models import Area, Officer, Team


class Visit(SyncedRecord):
    """One attendance at a burgled home, owned by one officer and one team."""

    feed_collection = "visits"
    lock_rank = 0

    officer: fields.ForeignKeyRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name="visits", on_delete=fields.RESTRICT
    )
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "doorstep.Team", related_name="visits", on_delete=fields.RESTRICT
    )
    # Denormalised from the team so area-wide supervisor queries need no join.
    area: fields.ForeignKeyRelation[Area] = fields.ForeignKeyField(
        "doorstep.Area", related_name="visits", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(VisitStatus, max_length=12, default=VisitStatus.DRAFT)
    completed_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    review_note = fields.TextField(null=True)
    # When the visit was erased (server/retention/): its row is then a tombstone holding no
    # personal data; set only by erasure.
    erased_at = fields.DatetimeField(null=True)

    # Reference
    reference_crime_reference = fields.CharField(max_length=40, null=True, db_index=True)
    reference_incident_number = fields.CharField(max_length=40, null=True)
    # Indexed with the scope columns only (Meta.indexes): every reader of it filters by scope.
    reference_reported_at = fields.DatetimeField(null=True)
    reference_officer_in_charge = fields.CharField(max_length=120, null=True)
    # What the phone asked to link to (the link itself is the report's ``linked_visit``).
    reference_report_id = fields.UUIDField(null=True)
    # The server's repeat-victimisation flag (another burglary at the address within a year),
    # beside the officer's own tick in ``victim_vulnerabilities``.
    repeat_computed = fields.BooleanField(default=False, db_default=False)

    # Attendance
    attendance_arrived_at = fields.DatetimeField(null=True)
    attendance_left_at = fields.DatetimeField(null=True)

    # Place
    address_line1 = fields.CharField(max_length=120, null=True)
    address_line2 = fields.CharField(max_length=120, null=True)
    address_town = fields.CharField(max_length=80, null=True)
    address_postcode = fields.CharField(max_length=10, null=True, db_index=True)
    # The server's: ``line_key(address_line1)``, kept by the feed (``derived_columns``) so
    # earlier burglaries at an address are an indexed lookup (server/reports/addresses.py).
    address_line_key = fields.CharField(max_length=160, null=True)
    location_latitude = fields.FloatField(null=True)
    location_longitude = fields.FloatField(null=True)
    location_accuracy_m = fields.FloatField(null=True)
    place_property_type = fields.CharEnumField(PropertyType, max_length=12, null=True)
    place_occupied = fields.CharEnumField(Occupied, max_length=8, null=True)

    # Victim
    victim_name = fields.CharField(max_length=120, null=True)
    victim_phone = fields.CharField(max_length=32, null=True)
    victim_email = fields.CharField(max_length=254, null=True)
    victim_preferred_contact = fields.CharEnumField(PreferredContact, max_length=12, null=True)
    victim_vulnerabilities = fields.JSONField[list[Any]](default=list)
    victim_vulnerability_note = fields.TextField(null=True)
    victim_interpreter_needed = fields.BooleanField(null=True)
    victim_interpreter_language = fields.CharField(max_length=60, null=True)
    victim_victims_code_given = fields.BooleanField(null=True)
    victim_referral_consent = fields.BooleanField(null=True)
    victim_referral_made = fields.BooleanField(null=True)

    # Offence
    offence_type = fields.CharEnumField(OffenceType, max_length=24, null=True)
    offence_last_secure_at = fields.DatetimeField(null=True)
    offence_discovered_at = fields.DatetimeField(null=True)
    offence_entry_point = fields.CharEnumField(EntryPoint, max_length=12, null=True)
    offence_entry_point_note = fields.CharField(max_length=200, null=True)
    offence_entry_method = fields.CharEnumField(EntryMethod, max_length=12, null=True)
    offence_rooms_entered = fields.JSONField[list[Any]](default=list)
    offence_offender_seen = fields.TextField(null=True)
    offence_suspects_named = fields.TextField(null=True)

    # Property taken (items are PropertyItem rows) and what surrounds it
    loss_damage = fields.TextField(null=True)
    loss_not_taken = fields.TextField(null=True)
    loss_vehicle_registration = fields.CharField(max_length=10, null=True)

    # Lines of enquiry
    enquiry_forensic_opportunities = fields.JSONField[list[Any]](default=list)
    enquiry_csi_requested = fields.BooleanField(null=True)
    enquiry_csi_reference = fields.CharField(max_length=40, null=True)
    enquiry_scene_preservation_advised = fields.BooleanField(null=True)
    enquiry_digital_evidence = fields.JSONField[list[Any]](default=list)
    enquiry_routes = fields.TextField(null=True)
    enquiry_house_to_house = fields.JSONField[list[Any]](default=list)
    enquiry_witnesses = fields.JSONField[list[Any]](default=list)

    # Prevention advice given: ticked catalogue items as [{"id", "version"}]
    advice_items = fields.JSONField[list[Any]](default=list)
    advice_extra = fields.TextField(null=True)
    advice_leaflet_given = fields.BooleanField(null=True)
    advice_survey_requested = fields.BooleanField(null=True)

    class Meta:
        table = "visit"
        # Supervisors filter by scope, status and report date (bench/supervisor_bench.py); the
        # list walks a scope newest first (created_at, id), with no filter by default, so a
        # page reads its rows in order instead of sorting the scope. Those two also serve what
        # (team_id, status) and (area_id, status) served, as prefixes of the triples below.
        indexes = (
            ("team_id", "created_at", "id"),
            ("area_id", "created_at", "id"),
            ("officer_id", "status"),
            ("area_id", "status", "reference_reported_at"),
            ("team_id", "status", "reference_reported_at"),
            ("team_id", "reference_reported_at"),
            ("area_id", "reference_reported_at"),
            ("address_postcode", "address_line_key"),
        )

    @classmethod
    def derived_columns(cls, columns: dict[str, Any]) -> dict[str, Any]:
        return line_key_column(columns)


class PropertyItem(SyncedRecord):
    """One item taken in the burglary."""

    feed_collection = "property_items"

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="property_items", on_delete=fields.RESTRICT, db_index=True
    )
    category = fields.CharEnumField(PropertyCategory, max_length=16, null=True)
    make_model = fields.CharField(max_length=120, null=True)
    description = fields.TextField(null=True)
    marks_or_serial = fields.CharField(max_length=200, null=True)
    estimated_value_pence = fields.BigIntField(null=True)
    property_marked = fields.BooleanField(null=True)
    tracking = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "property_item"


class KitIssue(SyncedRecord):
    """A SmartWater property-marking kit handed over at the visit or to a neighbour."""

    feed_collection = "kit_issues"

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="kit_issues", on_delete=fields.RESTRICT, db_index=True
    )
    kit_code = fields.CharField(max_length=40, null=True, db_index=True)
    recipient = fields.CharEnumField(KitRecipient, max_length=12, null=True)
    recipient_name = fields.CharField(max_length=120, null=True)
    address_line1 = fields.CharField(max_length=120, null=True)
    address_line2 = fields.CharField(max_length=120, null=True)
    address_town = fields.CharField(max_length=80, null=True)
    address_postcode = fields.CharField(max_length=10, null=True)
    registration = fields.CharEnumField(KitRegistration, max_length=8, null=True)

    class Meta:
        table = "kit_issue"


class Review(Model):
    """A supervisor's decision on a completed visit (every one kept)."""

    id = fields.BigIntField(primary_key=True)
    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="reviews", on_delete=fields.RESTRICT, db_index=True
    )
    reviewer: fields.ForeignKeyRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name="reviews", on_delete=fields.RESTRICT
    )
    decision = fields.CharEnumField(ReviewDecision, max_length=8)
    note = fields.TextField(default="")
    visit_rev = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review"
