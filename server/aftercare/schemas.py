"""Aftercare records at the edge: the synchronised collections' schemas and the API's shapes.

The dotted paths a phone may write are exactly the leaves of ``AddendumRecord``,
``VictimUpdateRecord``, ``SurveyResponseRecord`` and ``LeaveBehindRecord`` (``visit_id`` as in
every child collection). Unlike a visit, each is written whole, once: required fields are
required, and what one kind of record needs is checked here, naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from server.aftercare.enums import (
    AddendumKind,
    ContactMethod,
    EvidenceKind,
    ForensicOutcome,
    Language,
    MailStatus,
    SurveyChannel,
)
from server.validation import Email, LongText, Strict, Timestamp
from server.visits.enums import ForensicOpportunity

RecordId = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
VisitId = Annotated[str, Field(pattern=r"^[0-9a-fA-F\-]{36}$")]
Score = Annotated[int, Field(ge=1, le=5, description="1 very dissatisfied ... 5 very satisfied")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
TextKey = Annotated[str, Field(max_length=40, pattern=r"^[a-z][a-z_]*$")]
# A rendered leave-behind: the whole page of text, advice included.
LeaveBehindText = Annotated[str, Field(min_length=1, max_length=20_000)]


def _require(record: BaseModel, kind: str, *fields: str) -> None:
    missing = [f for f in fields if getattr(record, f) in (None, "")]
    if missing:
        raise ValueError(f"{missing[0]} is required for {kind}")


class AddendumFields(Strict):
    """A follow-up to a sealed visit; a correction is a new addendum naming ``corrects_id``."""

    kind: AddendumKind
    occurred_at: Timestamp | None = None
    text: LongText | None = None
    kit_issue_id: RecordId | None = None
    property_item_id: RecordId | None = None
    evidence_kind: EvidenceKind | None = None
    exhibit_reference: Annotated[str, Field(max_length=40)] | None = None
    forensic_type: ForensicOpportunity | None = None
    forensic_outcome: ForensicOutcome | None = None
    corrects_id: RecordId | None = None

    @model_validator(mode="after")
    def _kind_needs(self) -> AddendumFields:
        needs = {
            AddendumKind.KIT_REGISTERED: ("kit_issue_id",),
            AddendumKind.EVIDENCE_COLLECTED: ("evidence_kind",),
            AddendumKind.FORENSIC_RESULT: ("forensic_type", "forensic_outcome"),
            AddendumKind.NOTE: ("text",),
        }
        _require(self, self.kind.value, *needs.get(self.kind, ()))
        if (
            self.kind is AddendumKind.PROPERTY_RECOVERED
            and not self.property_item_id
            and not self.text
        ):
            raise ValueError("property_item_id or text is required for property_recovered")
        return self


class AddendumRecord(AddendumFields):
    """The ``addenda`` collection."""

    visit_id: VisitId | None = None


class VictimUpdateRecord(Strict):
    """The ``victim_updates`` collection: one contact with the victim."""

    visit_id: VisitId | None = None
    contacted_at: Timestamp
    method: ContactMethod
    about: Annotated[str, Field(min_length=1, max_length=4000)]
    next_update_due: date | None = Field(
        default=None, description="when the victim is next due an update; null: none planned"
    )

    @model_validator(mode="after")
    def _due_after_contact(self) -> VictimUpdateRecord:
        if self.next_update_due is not None and self.next_update_due < self.contacted_at.date():
            raise ValueError("next_update_due is before contacted_at")
        return self


class SurveyAnswers(Strict):
    """The five questions of the victim satisfaction survey (each five-point)."""

    overall: Score = Field(description="satisfied with the whole experience")
    ease_of_contact: Score | None = None
    actions_taken: Score | None = None
    kept_informed: Score | None = None
    treatment: Score | None = None
    comment: Annotated[str, Field(max_length=2000)] | None = None


class SurveyResponseRecord(SurveyAnswers):
    """The ``survey_responses`` collection: answers the officer recorded at a follow-up."""

    visit_id: VisitId | None = None
    language: Language | None = None


class EmailRequest(Strict):
    """Whether the victim asked for the leave-behind by email, and where to."""

    requested: bool | None = None
    to: Email | None = None


class SurveyLinkHash(Strict):
    """The survey link's token, hashed on the phone: the token itself never leaves it."""

    token_sha256: Sha256Hex | None = None


class LeaveBehindRecord(Strict):
    """The ``leave_behinds`` collection: what the victim was given, as given."""

    visit_id: VisitId | None = None
    language: Language
    content_version: Annotated[int, Field(ge=1)]
    text: LeaveBehindText
    printed: bool | None = None
    email: EmailRequest = Field(default_factory=EmailRequest)
    survey: SurveyLinkHash = Field(default_factory=SurveyLinkHash)

    @model_validator(mode="after")
    def _email_needs_address(self) -> LeaveBehindRecord:
        if self.email.requested and not self.email.to:
            raise ValueError("email.to is required when email.requested is true")
        return self


# --- the API -------------------------------------------------------------------------------


class PersonRef(BaseModel):
    """Who: an officer by id, name and collar number."""

    id: str
    display_name: str
    collar_number: str


class AddendumCreate(AddendumFields):
    """A supervisor's addendum (online); ``id`` makes a retried request safe."""

    id: RecordId | None = None


class AftercareRecord(BaseModel):
    """One aftercare record as the visit shows it: its fields and who added it, when."""

    id: str
    rev: int
    fields: dict[str, Any]
    author: PersonRef | None
    recorded_at: datetime


class LeaveBehindDelivery(AftercareRecord):
    """A leave-behind, with where its email is."""

    mail_status: MailStatus
    mail_sent_at: datetime | None
    mail_attempts: int


class AftercareSection(BaseModel):
    """Everything after the visit: addenda, contacts, the survey, what the victim was given."""

    addenda: list[AftercareRecord]
    victim_updates: list[AftercareRecord]
    next_update_due: date | None
    survey: AftercareRecord | None
    survey_channel: SurveyChannel | None
    leave_behinds: list[LeaveBehindDelivery]
    kits_registered: list[str] = Field(description="kit_issue ids an addendum marked registered")


class OverdueQuery(Strict):
    """A page of overdue victim updates in the caller's scope."""

    area: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    team: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class OverdueVisit(BaseModel):
    """A visit whose victim is owed an update."""

    visit_id: str
    crime_reference: str | None
    status: str
    officer: PersonRef
    team_id: int
    area_id: int
    last_contact_at: datetime | None
    last_method: ContactMethod | None
    due: date
    days_overdue: int


class OverduePage(BaseModel):
    """Most overdue first; follow ``next_cursor`` while it is not null."""

    visits: list[OverdueVisit]
    next_cursor: str | None


class FiguresQuery(Strict):
    """Satisfaction figures for answers given in a date range (UTC), optionally narrowed."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    area: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    team: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None

    @model_validator(mode="after")
    def _range(self) -> FiguresQuery:
        if self.date_from and self.date_to and self.date_to <= self.date_from:
            raise ValueError("date_to must be after date_from")
        return self


class SatisfactionGroup(BaseModel):
    """Answers in one week, area or team: how many, how many satisfied (4 or 5 of 5)."""

    key: str
    name: str
    responses: int
    satisfied: int
    satisfied_share: float | None


class SatisfactionFigures(BaseModel):
    """The share satisfied, beside the pilot's 74% (seeds/003)."""

    baseline_share: float = Field(description="the pilot's share satisfied, for comparison")
    total: SatisfactionGroup
    by_week: list[SatisfactionGroup] = Field(description="ISO weeks, keyed by their Monday")
    by_area: list[SatisfactionGroup]
    by_team: list[SatisfactionGroup]


class LeaveBehindContentOut(BaseModel):
    """The leave-behind's texts at one version, for the languages this force gives."""

    version: int
    languages: list[Language]
    keys: list[str] = Field(description="every text key, in the order the page shows them")
    placeholders: list[str] = Field(description="the {names} a text may contain")
    texts: dict[str, dict[str, str]]
    created_at: datetime


class LeaveBehindContentChange(Strict):
    """A new version of the texts: every key, in English and each other language given."""

    texts: dict[Language, dict[TextKey, Annotated[str, Field(max_length=4000)]]]
    note: Annotated[str, Field(max_length=200)] = ""
