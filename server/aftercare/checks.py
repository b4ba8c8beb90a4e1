"""What a new aftercare record must agree with beyond its own fields (checked on creation).

Sync (``server.syncing.apply``) calls these for records a phone creates, and the supervisor's
addendum route for its own: an addendum names a kit, item or addendum of its own visit; a
visit is answered once; a leave-behind is in a language this force gives, from a content
version that exists, with a survey token no other leave-behind has. Each refusal is a
``SyncError`` naming the field, so a phone keeps it under "Needs attention".
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence

from pydantic import BaseModel
from tortoise.backends.base.client import BaseDBAsyncClient

from server.aftercare.models import Addendum, LeaveBehind, LeaveBehindContent, SurveyResponse
from server.aftercare.schemas import AddendumFields, LeaveBehindRecord
from server.settings import Settings
from server.visits.models import KitIssue, PropertyItem
from sync import SyncError

# A survey link written out in full: its token must not be stored with the text.
_LINK = re.compile(r"/s/([a-z2-7]{26})")
Check = Callable[
    [BaseDBAsyncClient, uuid.UUID, BaseModel, Sequence[BaseModel], Settings], Awaitable[None]
]


def _same_visit(record: BaseModel, visit_id: uuid.UUID) -> bool:
    return str(getattr(record, "visit_id", "") or "").lower() == str(visit_id)


async def check_addendum(
    connection: BaseDBAsyncClient,
    visit_id: uuid.UUID,
    record: BaseModel,
    siblings: Sequence[BaseModel],
    settings: Settings,
) -> None:
    """The kit, property item or addendum an addendum names must belong to its visit."""
    assert isinstance(record, AddendumFields)
    references = (
        ("kit_issue_id", KitIssue, record.kit_issue_id),
        ("property_item_id", PropertyItem, record.property_item_id),
        ("corrects_id", Addendum, record.corrects_id),
    )
    for field, model, value in references:
        if value is None:
            continue
        found = (
            await model.filter(id=uuid.UUID(value), visit_id=visit_id, deleted=False)
            .using_db(connection)
            .exists()
        )
        if not found:
            raise SyncError(
                "validation_failed",
                f"{field}: no such record on this visit",
                {"field": field, "fields": [{"field": field, "message": "not on this visit"}]},
            )


async def check_survey_response(
    connection: BaseDBAsyncClient,
    visit_id: uuid.UUID,
    record: BaseModel,
    siblings: Sequence[BaseModel],
    settings: Settings,
) -> None:
    """A visit's survey is answered once, by the officer or by the victim online."""
    answered = await SurveyResponse.filter(visit_id=visit_id).using_db(connection).exists()
    if answered or any(_same_visit(s, visit_id) for s in siblings):
        raise SyncError(
            "already_answered",
            "The victim's survey for this visit has already been answered.",
            {"visit_id": str(visit_id)},
        )


async def check_leave_behind(
    connection: BaseDBAsyncClient,
    visit_id: uuid.UUID,
    record: BaseModel,
    siblings: Sequence[BaseModel],
    settings: Settings,
) -> None:
    """Given in a language this force offers, from a content version that exists, with a
    survey token of its own."""
    assert isinstance(record, LeaveBehindRecord)
    offered = settings.leave_behind_languages
    if record.language.value not in offered:
        raise SyncError(
            "validation_failed",
            f"language: this force gives leave-behinds in {', '.join(offered)} only",
            {"field": "language"},
        )
    content = (
        await LeaveBehindContent.filter(version=record.content_version).using_db(connection).first()
    )
    if content is None or record.language.value not in content.texts:
        raise SyncError(
            "validation_failed",
            "content_version: no such leave-behind content in this language",
            {"field": "content_version"},
        )
    token = record.survey.token_sha256
    if token is not None and any(
        hashlib.sha256(word.encode()).hexdigest() == token for word in _LINK.findall(record.text)
    ):
        raise SyncError(
            "validation_failed",
            "text: keep {survey_link} where the link goes; the token itself is never stored",
            {"field": "text"},
        )
    if token is not None:
        reused = any(
            isinstance(s, LeaveBehindRecord) and s.survey.token_sha256 == token for s in siblings
        )
        if (
            reused
            or await LeaveBehind.filter(survey_token_sha256=token).using_db(connection).exists()
        ):
            raise SyncError(
                "validation_failed",
                "survey.token_sha256: this survey token is already in use; make a new one",
                {"field": "survey.token_sha256"},
            )


NEW_RECORD_CHECKS: dict[str, Check] = {
    "addenda": check_addendum,
    "survey_responses": check_survey_response,
    "leave_behinds": check_leave_behind,
}
