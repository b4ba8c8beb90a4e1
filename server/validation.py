"""Field validators shared by every schema at the edge: postcodes, references, free text."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
)

# The UK postcode format (outward code, space, inward code), including GIR 0AA and the
# British Forces / overseas-territory oddities that do not follow the letter rules.
_POSTCODE = re.compile(
    r"^(GIR ?0AA|"
    r"[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2}|"
    r"BFPO ?[0-9]{1,4}|"
    r"(?:ASCN|STHL|TDCU|BBND|BIQQ|FIQQ|PCRN|SIQQ|TKCA) ?1ZZ)$"
)


def normalise_postcode(value: str) -> str:
    """Upper-case a UK postcode and put exactly one space before the inward code."""
    compact = re.sub(r"\s+", "", value).upper()
    if not _POSTCODE.match(compact):
        raise ValueError("not a valid UK postcode (for example SW1A 1AA)")
    if compact.startswith("BFPO"):
        return "BFPO " + compact[4:]
    return compact[:-3] + " " + compact[-3:]


def postcode_prefix(raw: str) -> str:
    """A postcode to search by: a whole one normalised, a part (``WR3``) as typed, upper-cased."""
    try:
        return normalise_postcode(raw)
    except ValueError:
        return " ".join(raw.upper().split())


def check_crime_reference(value: str, info: ValidationInfo) -> str:
    """Check a crime reference against the force's pattern (``DOORSTEP_CRIME_REF_PATTERN``)."""
    from server.settings import DEFAULT_CRIME_REFERENCE_PATTERN

    normalised = value.strip().upper()
    pattern = DEFAULT_CRIME_REFERENCE_PATTERN
    if isinstance(info.context, dict):
        pattern = info.context.get("crime_reference_pattern", pattern)
    if not re.fullmatch(pattern, normalised):
        raise ValueError("does not match this force's crime reference format")
    return normalised


def normalise_vehicle_registration(value: str) -> str:
    """Upper-case a UK vehicle registration and check it has only letters, digits and a space."""
    normalised = " ".join(value.upper().split())
    if not re.fullmatch(r"[A-Z0-9]{1,4} ?[A-Z0-9]{1,4}", normalised):
        raise ValueError("not a valid vehicle registration (for example AB12 CDE)")
    return normalised


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # below space, but tab and newline


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


Postcode = Annotated[str, StringConstraints(max_length=10), AfterValidator(normalise_postcode)]
CrimeReference = Annotated[
    str, StringConstraints(min_length=1, max_length=40), AfterValidator(check_crime_reference)
]
IncidentNumber = Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9/\-]+$")]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(_no_control_characters),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    AfterValidator(_no_control_characters),
]
AddressLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=120),
    AfterValidator(_no_control_characters),
]
Town = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=80),
    AfterValidator(_no_control_characters),
]
LongText = Annotated[
    str, StringConstraints(max_length=4000), AfterValidator(_no_control_characters)
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=32, pattern=r"^\+?[0-9 ()\-]{6,31}$"),
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
    ),
]
VehicleRegistration = Annotated[
    str, StringConstraints(max_length=12), AfterValidator(normalise_vehicle_registration)
]
# A record id made on a device: a UUID, compared and stored lower-case (PROTOCOL.md 2.1).
RecordId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"),
    AfterValidator(str.lower),
]
Timestamp = AwareDatetime
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Strict(BaseModel):
    """Base for every edge model: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_max_length=4000)
