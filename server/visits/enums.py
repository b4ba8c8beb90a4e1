"""Every enumeration of the visit record (SPEC.md section 3), shared by schemas and models.

``VisitStatus`` is defined once, by the sync engine whose state machine moves it, and only
re-exported here so the record's enumerations stay in one place for the server.
"""

from __future__ import annotations

from enum import StrEnum

from sync import VisitStatus as VisitStatus


class PropertyType(StrEnum):
    """The kind of home."""

    DETACHED = "detached"
    SEMI = "semi"
    TERRACE = "terrace"
    FLAT = "flat"
    BUNGALOW = "bungalow"
    OTHER = "other"


class Occupied(StrEnum):
    """Whether someone was at home at the time."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class PreferredContact(StrEnum):
    """How the victim would like to be contacted."""

    PHONE = "phone"
    EMAIL = "email"
    TEXT = "text"
    POST = "post"
    IN_PERSON = "in_person"


class Vulnerability(StrEnum):
    """Recorded vulnerabilities of the victim."""

    ELDERLY = "elderly"
    DISABILITY = "disability"
    LIVES_ALONE = "lives_alone"
    REPEAT_VICTIM = "repeat_victim"
    BOGUS_CALLER_TARGET = "bogus_caller_target"
    OTHER = "other"


class OffenceType(StrEnum):
    """The kind of burglary."""

    DWELLING = "dwelling"
    ATTEMPTED = "attempted"
    GARAGE_OR_OUTBUILDING = "garage_or_outbuilding"
    DISTRACTION = "distraction"
    CAR_KEY = "car_key"


class EntryPoint(StrEnum):
    """Where the offender got in."""

    FRONT_DOOR = "front_door"
    REAR_DOOR = "rear_door"
    WINDOW = "window"
    PATIO_DOOR = "patio_door"
    GARAGE = "garage"
    ROOF = "roof"
    OTHER = "other"


class EntryMethod(StrEnum):
    """How the offender got in."""

    FORCED = "forced"
    INSECURE = "insecure"
    KEY = "key"
    DECEPTION = "deception"
    UNKNOWN = "unknown"


class ForensicOpportunity(StrEnum):
    """Forensic traces worth recovering."""

    FINGERPRINTS = "fingerprints"
    FOOTWEAR = "footwear"
    DNA = "dna"
    TOOL_MARKS = "tool_marks"


class DigitalEvidenceKind(StrEnum):
    """Sources of digital evidence near the scene."""

    CCTV = "cctv"
    DOORBELL = "doorbell"
    DASHCAM = "dashcam"
    ANPR = "anpr"
    OTHER = "other"


class HouseToHouseResult(StrEnum):
    """The outcome of a house-to-house (cocooning) call."""

    NO_ANSWER = "no_answer"
    NOTHING_SEEN = "nothing_seen"
    INFORMATION = "information"
    CARD_LEFT = "card_left"


class PropertyCategory(StrEnum):
    """Categories of stolen property."""

    JEWELLERY = "jewellery"
    WATCH = "watch"
    PHONE = "phone"
    COMPUTER = "computer"
    ELECTRONICS = "electronics"
    CASH = "cash"
    BANK_CARD = "bank_card"
    KEYS = "keys"
    VEHICLE = "vehicle"
    BICYCLE = "bicycle"
    TOOLS = "tools"
    DOCUMENTS = "documents"
    CLOTHING = "clothing"
    ART_OR_ANTIQUE = "art_or_antique"
    OTHER = "other"


class KitRecipient(StrEnum):
    """Who received a SmartWater kit."""

    VICTIM = "victim"
    NEIGHBOUR = "neighbour"


class KitRegistration(StrEnum):
    """Whether the kit has been registered on the supplier's database."""

    DONE = "done"
    TO_DO = "to_do"


class ReviewDecision(StrEnum):
    """A supervisor's decision on a completed visit."""

    APPROVE = "approve"
    RETURN = "return"
