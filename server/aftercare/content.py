"""The leave-behind's content as data: versioned texts per language, edited by administrators.

Version 1 is the message catalogue's defaults (``server.aftercare.messages``), installed by
``doorstep migrate`` (and on first use, so a fresh database is never without it). Every
change makes a new version; none is ever altered, so a leave-behind naming its version can be
read again exactly. Phones cache the version in force (``GET /api/leave-behind``) and render
the page offline with ``render_text``'s rules (``docs/aftercare.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.aftercare.enums import Language
from server.aftercare.messages import LEAVE_BEHIND, LEAVE_BEHIND_KEYS, PLACEHOLDERS
from server.aftercare.models import LeaveBehindContent
from server.aftercare.schemas import LeaveBehindContentChange, LeaveBehindContentOut
from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import NotFound, ValidationFailed
from server.settings import Settings

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def default_texts(settings: Settings) -> dict[str, dict[str, str]]:
    """The catalogue's texts in every language, with this force's name written in."""
    return {
        language.value: {
            key: text.replace("{force_name}", settings.force_name) if key == "force_name" else text
            for key, text in texts.items()
        }
        for language, texts in LEAVE_BEHIND.items()
    }


async def ensure_default_content(settings: Settings) -> bool:
    """Install version 1 if there is no content yet; True if it was installed now."""
    if await LeaveBehindContent.exists():
        return False
    try:
        async with in_transaction() as connection:
            await LeaveBehindContent.create(
                version=1,
                texts=default_texts(settings),
                note="installed defaults",
                using_db=connection,
            )
    except IntegrityError:  # another worker installed it first
        return False
    return True


def _out(row: LeaveBehindContent, settings: Settings) -> LeaveBehindContentOut:
    languages = [Language(code) for code in settings.leave_behind_languages]
    return LeaveBehindContentOut(
        version=row.version,
        languages=languages,
        keys=list(LEAVE_BEHIND_KEYS),
        placeholders=list(PLACEHOLDERS),
        texts={code: dict(row.texts[code]) for code in settings.leave_behind_languages},
        created_at=row.created_at,
    )


async def latest_content(settings: Settings) -> LeaveBehindContent:
    """The content version in force (the newest)."""
    await ensure_default_content(settings)
    row = await LeaveBehindContent.all().order_by("-version").first()
    assert row is not None
    return row


async def content_in_force(*, ctx: RequestContext) -> LeaveBehindContentOut:
    """The version in force, in this force's languages, for phones to cache."""
    return _out(await latest_content(ctx.settings), ctx.settings)


async def content_at(version: int, *, ctx: RequestContext) -> LeaveBehindContentOut:
    """An older version, as a leave-behind that names it was rendered from."""
    await ensure_default_content(ctx.settings)
    if not 1 <= version <= 2_147_483_647:  # beyond the column's range: no such version
        raise NotFound("No such leave-behind content version.")
    row = await LeaveBehindContent.filter(version=version).first()
    if row is None:
        raise NotFound("No such leave-behind content version.")
    return _out(row, ctx.settings)


def _problems(
    texts: Mapping[str, Mapping[str, str]], required: Iterable[str]
) -> list[dict[str, str]]:
    problems = []
    for code in required:
        if code not in texts:
            problems.append(
                {"field": f"texts.{code}", "message": "every text is needed in this language"}
            )
    for code, entries in texts.items():
        for key in LEAVE_BEHIND_KEYS:
            if not (entries.get(key) or "").strip():
                problems.append({"field": f"texts.{code}.{key}", "message": "is required"})
        for key, text in entries.items():
            if key not in LEAVE_BEHIND_KEYS:
                problems.append(
                    {"field": f"texts.{code}.{key}", "message": "is not a leave-behind text"}
                )
            for name in _PLACEHOLDER.findall(text):
                if name not in PLACEHOLDERS:
                    problems.append(
                        {
                            "field": f"texts.{code}.{key}",
                            "message": f"{{{name}}} is not a placeholder",
                        }
                    )
    return [{**p, "type": "value_error"} for p in problems]


async def change_content(
    body: LeaveBehindContentChange, *, ctx: RequestContext
) -> LeaveBehindContentOut:
    """A new version from an administrator: every text, in English and each language given.

    Languages this force gives must all be complete; one it does not give may be sent too
    (ready for the day it does) and is checked the same way.
    """
    texts = {language.value: dict(entries) for language, entries in body.texts.items()}
    problems = _problems(texts, ctx.settings.leave_behind_languages)
    if problems:
        raise ValidationFailed.from_fields(problems)
    current = await latest_content(ctx.settings)
    async with in_transaction() as connection:
        row = await LeaveBehindContent.create(
            version=current.version + 1,
            texts=texts,
            note=body.note.strip(),
            author_id=ctx.caller.officer_id,
            using_db=connection,
        )
        entry = ctx.audit(
            AuditAction.ALTER,
            record_type="leave_behind_content",
            record_id=row.version,
            reason="leave-behind texts changed",
        )
        await ctx.write_audit([entry], connection)
    return _out(row, ctx.settings)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{placeholders}`` with their values (unknown ones are left as written)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render_text(
    texts: Mapping[str, str],
    values: Mapping[str, str],
    advice: Iterable[str] = (),
    *,
    survey: bool = True,
) -> str:
    """The leave-behind as plain text: the reference rendering the phone follows.

    Sections in ``LEAVE_BEHIND_KEYS`` order, a blank line between them, the advice given as
    "- title" lines under its heading (left out when none was given), the survey invitation
    only when there is a survey link. ``{survey_link}`` is left in place when ``values``
    lacks it: the stored snapshot never holds the link's secret token. ``{force_name}`` is
    the ``force_name`` text of the same language.
    """
    values = {"force_name": texts["force_name"], **values}
    blocks = [
        [texts["force_name"]],
        [texts["title"]],
        [texts["visit_summary"], texts["crime_reference"]],
        [texts["officer_heading"], texts["officer_contact"]],
        [texts["next_heading"], texts["what_happens_next"]],
        [texts["victims_code_heading"], texts["victims_code"]],
        [texts["support_heading"], texts["victim_support"], texts["other_numbers"]],
    ]
    items = [f"- {title}" for title in advice]
    if items:
        blocks.append([texts["advice_heading"], *items])
    if survey:
        blocks.append([texts["survey_heading"], texts["survey_invite"]])
    return "\n\n".join("\n".join(fill(line, values) for line in block) for block in blocks)
