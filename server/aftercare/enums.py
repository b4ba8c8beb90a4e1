"""Every enumeration of aftercare records, shared by schemas and models."""

from __future__ import annotations

from enum import StrEnum


class AddendumKind(StrEnum):
    """What a follow-up to a sealed visit records."""

    KIT_REGISTERED = "kit_registered"
    EVIDENCE_COLLECTED = "evidence_collected"
    PROPERTY_RECOVERED = "property_recovered"
    FORENSIC_RESULT = "forensic_result"
    NOTE = "note"


class EvidenceKind(StrEnum):
    """Evidence collected after the visit (CCTV the next day, a doorbell clip...)."""

    CCTV = "cctv"
    DOORBELL = "doorbell"
    DASHCAM = "dashcam"
    ANPR = "anpr"
    PHYSICAL = "physical"
    STATEMENT = "statement"
    OTHER = "other"


class ForensicOutcome(StrEnum):
    """What a forensic submission came back with."""

    IDENTIFIED = "identified"
    NO_MATCH = "no_match"
    NOT_SUITABLE = "not_suitable"


class ContactMethod(StrEnum):
    """How the victim was contacted for an update."""

    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"


class Language(StrEnum):
    """Languages a leave-behind and the survey can be given in (Welsh Language Standards)."""

    EN = "en"
    CY = "cy"


class SurveyChannel(StrEnum):
    """Who entered a survey answer: the officer at a follow-up, or the victim online."""

    OFFICER = "officer"
    SELF = "self"


class MailStatus(StrEnum):
    """Where an emailed leave-behind is: nothing asked, waiting, sent, or given up on."""

    NONE = "none"
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
