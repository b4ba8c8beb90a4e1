"""The visit record at the edge: every section of SPEC.md section 3, validated strictly.

Every section and field is optional because a visit is built up in any order on the doorstep;
what a *completed* visit must hold is checked by ``missing_for_completion``. The dotted paths
the sync protocol writes (``victim.name``) are exactly the fields of these models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from server.validation import (
    AddressLine,
    CrimeReference,
    Email,
    IncidentNumber,
    Latitude,
    Longitude,
    LongText,
    Name,
    Phone,
    Postcode,
    RecordId,
    ShortText,
    Strict,
    Timestamp,
    Town,
    VehicleRegistration,
)
from server.visits.enums import (
    DigitalEvidenceKind,
    EntryMethod,
    EntryPoint,
    ForensicOpportunity,
    HouseToHouseResult,
    KitRecipient,
    KitRegistration,
    Occupied,
    OffenceType,
    PreferredContact,
    PropertyCategory,
    PropertyType,
    VisitStatus,
    Vulnerability,
)


def _window(start: datetime | None, end: datetime | None, end_field: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{end_field} is before the start of the window")


class Reference(Strict):
    """Crime reference, incident number, when it was reported and who is in charge."""

    crime_reference: CrimeReference | None = None
    incident_number: IncidentNumber | None = None
    reported_at: Timestamp | None = None
    officer_in_charge: Name | None = None
    # The report this visit was started from ("Start visit"): checked by the server (it
    # exists, the officer holds it, it is open and not linked elsewhere), then fixed.
    report_id: RecordId | None = None


class Attendance(Strict):
    """When the officer arrived and left (report-to-arrival is a pledge figure)."""

    arrived_at: Timestamp | None = None
    left_at: Timestamp | None = None

    @model_validator(mode="after")
    def _left_after_arrival(self) -> Attendance:
        try:
            _window(self.arrived_at, self.left_at, "left_at")
        except ValueError as exc:
            raise ValueError("left_at is before arrived_at") from exc
        return self


class Address(Strict):
    """The victim's address."""

    line1: AddressLine | None = None
    line2: AddressLine | None = None
    town: Town | None = None
    postcode: Postcode | None = None


class Location(Strict):
    """Device location, recorded only when the officer chooses to."""

    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accuracy_m: Annotated[float, Field(ge=0, le=100_000)] | None = None


class Place(Strict):
    """The kind of home and whether it was occupied."""

    property_type: PropertyType | None = None
    occupied: Occupied | None = None


class Victim(Strict):
    """Who was burgled, how to reach them and what support they need."""

    name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    preferred_contact: PreferredContact | None = None
    vulnerabilities: Annotated[list[Vulnerability], Field(max_length=6)] = Field(
        default_factory=list
    )
    vulnerability_note: LongText | None = None
    interpreter_needed: bool | None = None
    interpreter_language: Annotated[str, Field(max_length=60)] | None = None
    victims_code_given: bool | None = None
    referral_consent: bool | None = None
    referral_made: bool | None = None

    @model_validator(mode="after")
    def _referral_needs_consent(self) -> Victim:
        if self.referral_made and self.referral_consent is False:
            raise ValueError("referral_made needs the victim's consent to referral")
        return self


class Offence(Strict):
    """What kind of burglary, when, and how the offender got in."""

    type: OffenceType | None = None
    last_secure_at: Timestamp | None = None
    discovered_at: Timestamp | None = None
    entry_point: EntryPoint | None = None
    entry_point_note: ShortText | None = None
    entry_method: EntryMethod | None = None
    rooms_entered: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=30)] = (
        Field(default_factory=list)
    )
    offender_seen: LongText | None = None
    suspects_named: LongText | None = None

    @model_validator(mode="after")
    def _discovered_after_secure(self) -> Offence:
        if (
            self.last_secure_at is not None
            and self.discovered_at is not None
            and self.discovered_at < self.last_secure_at
        ):
            raise ValueError("discovered_at is before last_secure_at")
        return self


class Loss(Strict):
    """Damage, what was notably not taken, and a vehicle if its keys were taken."""

    damage: LongText | None = None
    not_taken: LongText | None = None
    vehicle_registration: VehicleRegistration | None = None


class DigitalEvidence(Strict):
    """A source of CCTV, doorbell, dashcam or ANPR footage."""

    kind: DigitalEvidenceKind
    location: ShortText | None = None
    holder: ShortText | None = None
    note: LongText | None = None


class HouseToHouseCall(Strict):
    """One neighbouring address visited ("cocooning")."""

    address: ShortText
    result: HouseToHouseResult
    advice_left: bool = False
    kit_left: bool = False
    note: ShortText | None = None


class Witness(Strict):
    """Someone who saw or heard something."""

    name: Name
    contact: ShortText | None = None
    account: LongText | None = None


class Enquiry(Strict):
    """Lines of enquiry: forensics, CSI, digital evidence, house-to-house, witnesses."""

    forensic_opportunities: Annotated[list[ForensicOpportunity], Field(max_length=4)] = Field(
        default_factory=list
    )
    csi_requested: bool | None = None
    csi_reference: Annotated[str, Field(max_length=40)] | None = None
    scene_preservation_advised: bool | None = None
    digital_evidence: Annotated[list[DigitalEvidence], Field(max_length=50)] = Field(
        default_factory=list
    )
    routes: LongText | None = None
    house_to_house: Annotated[list[HouseToHouseCall], Field(max_length=100)] = Field(
        default_factory=list
    )
    witnesses: Annotated[list[Witness], Field(max_length=50)] = Field(default_factory=list)


class AdviceTick(Strict):
    """One catalogue item ticked, at the version the officer saw."""

    id: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
    version: Annotated[int, Field(ge=1)]


class Advice(Strict):
    """Crime prevention advice given at the door."""

    items: Annotated[list[AdviceTick], Field(max_length=100)] = Field(default_factory=list)
    extra: LongText | None = None
    leaflet_given: bool | None = None
    survey_requested: bool | None = None


class VisitRecord(Strict):
    """Every section of a visit, as the phone writes it and the server stores it."""

    status: VisitStatus = VisitStatus.DRAFT
    reference: Reference = Field(default_factory=Reference)
    attendance: Attendance = Field(default_factory=Attendance)
    address: Address = Field(default_factory=Address)
    location: Location = Field(default_factory=Location)
    place: Place = Field(default_factory=Place)
    victim: Victim = Field(default_factory=Victim)
    offence: Offence = Field(default_factory=Offence)
    loss: Loss = Field(default_factory=Loss)
    enquiry: Enquiry = Field(default_factory=Enquiry)
    advice: Advice = Field(default_factory=Advice)


class PropertyItemRecord(Strict):
    """One item taken."""

    visit_id: Annotated[str, Field(pattern=r"^[0-9a-fA-F\-]{36}$")] | None = None
    category: PropertyCategory | None = None
    make_model: ShortText | None = None
    description: LongText | None = None
    marks_or_serial: ShortText | None = None
    estimated_value_pence: Annotated[int, Field(ge=0, le=10_000_000_000)] | None = None
    property_marked: bool | None = None
    tracking: ShortText | None = None


class KitIssueRecord(Strict):
    """A SmartWater kit issued to the victim or a neighbour."""

    visit_id: Annotated[str, Field(pattern=r"^[0-9a-fA-F\-]{36}$")] | None = None
    kit_code: Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9\-]{4,40}$")] | None = None
    recipient: KitRecipient | None = None
    recipient_name: Name | None = None
    address: Address = Field(default_factory=Address)
    registration: KitRegistration | None = None


def leaf_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every dotted path a client may write in ``model`` (lists are leaves, never indexed)."""
    paths: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Strict):
            paths += leaf_paths(annotation, f"{prefix}{name}.")
        else:
            paths.append(f"{prefix}{name}")
    return paths


def leaf_value(model: BaseModel, path: str) -> Any:
    """The value at a dotted path of a validated model (``address.postcode``)."""
    value: Any = model
    for part in path.split("."):
        value = getattr(value, part)
    return value


def missing_for_completion(record: VisitRecord) -> list[str]:
    """The dotted fields a visit must have before the officer can complete it."""
    required: dict[str, Any] = {
        "reference.crime_reference": record.reference.crime_reference,
        "reference.reported_at": record.reference.reported_at,
        "attendance.arrived_at": record.attendance.arrived_at,
        "address.line1": record.address.line1,
        "address.postcode": record.address.postcode,
        "victim.name": record.victim.name,
        "offence.type": record.offence.type,
        "victim.victims_code_given": record.victim.victims_code_given,
    }
    return [path for path, value in required.items() if value is None]


class VisitValidation(BaseModel):
    """The answer to a validation request: valid, and what completion still needs."""

    valid: bool
    missing_for_completion: list[str]
