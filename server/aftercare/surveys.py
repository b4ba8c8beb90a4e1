"""The victim's own survey: a single-use, unguessable, expiring link per leave-behind.

The phone mints the token (16 random bytes from ``crypto.getRandomValues``, base32, 26
characters) and syncs only its SHA-256 inside the leave-behind; an emailed leave-behind gets
a link the server mints the same way (``server.aftercare.mail``). 128 random bits cannot be
guessed, so a plain SHA-256 is enough to keep the stored form useless to a reader of the
database. A link works until ``DOORSTEP_SURVEY_LINK_SECONDS`` after the server first knew it,
and only while the visit's survey is unanswered: one answer per visit, whichever link (or the
officer) gives it. Misses are rate-limited per address (a guesser), answers per token (a
hammered form); a victim behind a shared address with a real link is never counted as a miss.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from base64 import b32encode
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.aftercare.enums import Language, SurveyChannel
from server.aftercare.messages import SURVEY
from server.aftercare.models import LeaveBehind, SurveyLink, SurveyResponse
from server.aftercare.records import new_record
from server.aftercare.schemas import SurveyResponseRecord
from server.audit.models import AuditAction
from server.auth.ratelimit import count_attempt
from server.context import RequestContext
from server.feed import lock_records, record_changes
from server.visits.models import Visit

TOKEN_RE = re.compile(r"^[a-z2-7]{26}$")
QUESTIONS = ("overall", "ease_of_contact", "actions_taken", "kept_informed", "treatment")
MISSES_PER_ADDRESS = (20, 15 * 60)  # attempts, window seconds
ANSWERS_PER_TOKEN = (10, 60 * 60)


def new_token() -> str:
    """A survey token as the phone makes one: 128 random bits in lower-case base32."""
    return b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def token_sha256(token: str) -> str:
    """The only form of a token the server keeps."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class LinkState(StrEnum):
    """What a link leads to."""

    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Link:
    """A known survey link: its visit, the language the victim was given, and its state."""

    digest: str
    visit_id: uuid.UUID
    language: Language
    state: LinkState


async def _find(digest: str) -> tuple[uuid.UUID, Language, datetime] | None:
    given = await LeaveBehind.filter(survey_token_sha256=digest, deleted=False).first()
    if given is not None:
        return given.visit_id, given.language, given.created_at  # type: ignore[attr-defined]
    emailed = await SurveyLink.filter(token_sha256=digest).select_related("leave_behind").first()
    if emailed is not None:
        leave = emailed.leave_behind
        return leave.visit_id, leave.language, emailed.created_at  # type: ignore[attr-defined]
    return None


async def open_link(token: str, *, ctx: RequestContext) -> Link | None:
    """The link ``token`` names, or None (counted against the caller's address, 429 past it)."""
    token = token.strip().lower()
    found = await _find(token_sha256(token)) if TOKEN_RE.match(token) else None
    visit = None
    if found is not None:
        visit = await Visit.filter(id=found[0], deleted=False).first()
    if found is None or visit is None:
        limit, window = MISSES_PER_ADDRESS
        await count_attempt(f"survey-miss:{ctx.client_address}", limit, window, ctx.now)
        return None
    visit_id, language, issued_at = found
    if await SurveyResponse.filter(visit_id=visit_id).exists():
        state = LinkState.ANSWERED
    elif ctx.now >= issued_at + timedelta(seconds=ctx.settings.survey_link_seconds):
        state = LinkState.EXPIRED
    else:
        state = LinkState.OPEN
    return Link(token_sha256(token), visit_id, language, state)


async def count_post(link: Link, *, ctx: RequestContext) -> None:
    """Count one form post to a link, good or bad (429 past ``ANSWERS_PER_TOKEN``)."""
    limit, window = ANSWERS_PER_TOKEN
    await count_attempt(f"survey-token:{link.digest[:40]}", limit, window, ctx.now)


def read_answers(
    form: Mapping[str, str], language: Language
) -> tuple[SurveyResponseRecord | None, list[tuple[str, str]]]:
    """The form's answers, or the problems with them as (field, message) naming the question."""
    words = SURVEY[language]
    values: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    for name in QUESTIONS:
        raw = (form.get(name) or "").strip()
        question = words[f"q_{name}"]
        if not raw:
            if name == "overall":
                problems.append((name, words["error_required"].format(question=question)))
            continue
        if raw not in {"1", "2", "3", "4", "5"}:
            problems.append((name, words["error_invalid"].format(question=question)))
            continue
        values[name] = int(raw)
    comment = (form.get("comment") or "").strip()
    if len(comment) > 2000 or any(ord(c) < 32 and c not in "\r\n\t" for c in comment):
        problems.append(("comment", words["error_comment"]))
    if problems:
        return None, problems
    record = SurveyResponseRecord.model_validate(
        {**values, "comment": comment or None, "language": language.value}
    )
    return record, []


async def answer(link: Link, record: SurveyResponseRecord, *, ctx: RequestContext) -> bool:
    """Record the victim's answers once: False when the visit's survey was already answered
    (by any of its links, or by the officer). Every answer is audited as collected."""
    try:
        return await _record(link, record, ctx=ctx)
    except IntegrityError:  # answered at the same moment through another link
        return False


async def _record(link: Link, record: SurveyResponseRecord, *, ctx: RequestContext) -> bool:
    async with in_transaction() as connection:
        locked = await lock_records(connection, {Visit: [link.visit_id]})
        if (Visit, link.visit_id) not in locked:
            return False
        if await SurveyResponse.filter(visit_id=link.visit_id).using_db(connection).exists():
            return False
        record_id = uuid.uuid4()
        change = new_record(
            SurveyResponse,
            record_id,
            link.visit_id,
            record,
            author="victim",
            columns={"channel": SurveyChannel.SELF},
        )
        entry = ctx.audit(
            AuditAction.COLLECT,
            record_type="survey_responses",
            record_id=record_id,
            reason="satisfaction survey answered by the victim online",
        )
        await record_changes(connection, [change], audit=[entry], now=ctx.now)
    return True
