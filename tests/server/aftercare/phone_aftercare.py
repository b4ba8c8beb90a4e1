"""Aftercare records as a phone makes them, on top of the supervision tests' visits."""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from typing import Any

from harness.phone import Phone, new_id


def survey_token() -> str:
    """A survey token as the phone mints it: 16 random bytes, base32, lower case, no padding."""
    return b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def token_hash(token: str) -> str:
    """What the phone syncs instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def push_one(
    phone: Phone, collection: str, fields: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    """Push one new record (or a change with ``record_id=``); return its result."""
    record_id = kw.pop("record_id", None) or new_id()
    response = await phone.push(phone.mutation(collection, record_id, fields, **kw))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    result["id"] = record_id
    return result


def leave_behind_fields(
    visit_id: str, token: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """A leave-behind as given at the door (content version 1, English)."""
    fields: dict[str, Any] = {
        "visit_id": visit_id,
        "language": "en",
        "content_version": 1,
        "text": "Demo Constabulary\n\nAfter the burglary at your home ...\n\n{survey_link}",
        "printed": True,
    }
    if token:
        fields["survey.token_sha256"] = token_hash(token)
    fields.update(overrides)
    return fields


async def given_leave_behind(
    phone: Phone, visit_id: str, language: str = "en", **overrides: Any
) -> tuple[str, str]:
    """The phone gives the victim a leave-behind with a survey link; returns (token, its id)."""
    texts = await phone.client.get("/api/leave-behind")  # the phone's cached content
    assert texts.status_code == 200, texts.text
    token = survey_token()
    result = await push_one(
        phone,
        "leave_behinds",
        leave_behind_fields(visit_id, token, language=language, **overrides),
    )
    assert result["status"] == "applied", result
    return token, result["id"]
