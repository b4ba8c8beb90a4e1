"""WebAuthn challenges: stored in the database, expiring after five minutes, used once.

Any worker can finish a ceremony another began, since the challenge is in the database; a
conditional UPDATE consumes it, so two answers to one challenge cannot both succeed.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime, timedelta
from typing import Any

from webauthn.helpers import parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException

from server.auth.models import Challenge, EnrolmentCode
from server.errors import Unauthorized
from server.org.models import Officer

CHALLENGE_SECONDS = 5 * 60


class AuthFailed(Unauthorized):
    """A passkey ceremony that did not verify: always the same answer, whatever the reason."""

    code = "authentication_failed"
    message = "Sign-in failed. Try again with your passkey."


def b64url(data: bytes) -> str:
    """base64url without padding, as WebAuthn JSON uses."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def store_challenge(
    purpose: str,
    challenge: bytes,
    now: datetime,
    officer: Officer | None = None,
    code: EnrolmentCode | None = None,
) -> None:
    """Keep a challenge just sent to the browser, for whichever worker gets the answer."""
    await Challenge.create(
        id=uuid.uuid4(),
        purpose=purpose,
        challenge=b64url(challenge),
        officer=officer,
        enrolment_code=code,
        created_at=now,
        expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
    )


async def consume_challenge(credential: Any, purpose: str, now: datetime) -> Challenge:
    """Find the stored challenge this credential answers and mark it used (once only)."""
    try:
        client_data = parse_client_data_json(from_b64url(credential["response"]["clientDataJSON"]))
        challenge_text = b64url(client_data.challenge)
    except (KeyError, TypeError, ValueError, binascii.Error, WebAuthnException) as exc:
        raise AuthFailed() from exc
    challenge = await Challenge.get_or_none(challenge=challenge_text, purpose=purpose)
    if challenge is None or challenge.used_at is not None or now >= challenge.expires_at:
        raise AuthFailed()
    claimed = await Challenge.filter(id=challenge.id, used_at__isnull=True).update(used_at=now)
    if claimed != 1:  # another request used it first
        raise AuthFailed()
    return challenge
