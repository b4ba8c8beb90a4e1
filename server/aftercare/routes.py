"""Aftercare over HTTP (thin): addenda and the aftercare section, overdue updates, figures,
the leave-behind's content, and the victim's public survey page."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.aftercare import addenda, content, detail, figures, page, surveys, updates
from server.aftercare.enums import Language
from server.aftercare.schemas import (
    AddendumCreate,
    AftercareRecord,
    AftercareSection,
    FiguresQuery,
    LeaveBehindContentChange,
    LeaveBehindContentOut,
    OverduePage,
    OverdueQuery,
    SatisfactionFigures,
)
from server.api import Endpoint, json_response, read_body, read_query
from server.context import RequestContext
from server.errors import TooManyRequests
from server.org.models import Role

READERS = frozenset({Role.OFFICER, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})
ADMINS = frozenset({Role.ADMIN})
_FORM_BYTES = 32 * 1024


async def post_addendum(request: Request, ctx: RequestContext) -> Response:
    """A supervisor adds an addendum to a sealed visit (201; 200 for a retried id)."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    row, created = await addenda.add_addendum(
        visit_id, await read_body(request, AddendumCreate), ctx=ctx
    )
    await row.fetch_related("author")
    return json_response(detail.one_record(row), status=201 if created else 200)


async def get_aftercare(request: Request, ctx: RequestContext) -> Response:
    """The visit's aftercare section (404 outside the caller's scope)."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    return json_response(await detail.visit_aftercare(visit_id, ctx=ctx))


async def get_overdue(request: Request, ctx: RequestContext) -> Response:
    """Visits whose victim is owed an update, most overdue first."""
    return json_response(await updates.overdue_updates(read_query(request, OverdueQuery), ctx=ctx))


async def get_figures(request: Request, ctx: RequestContext) -> Response:
    """Share of victims satisfied by week, area and team, beside the pilot's 74%."""
    query = read_query(request, FiguresQuery)
    return json_response(await figures.satisfaction_figures(query, ctx=ctx))


async def get_content(request: Request, ctx: RequestContext) -> Response:
    """The leave-behind texts in force, for phones to cache and render offline."""
    return json_response(await content.content_in_force(ctx=ctx))


async def get_content_version(request: Request, ctx: RequestContext) -> Response:
    """An earlier version of the texts (a leave-behind names the one it was made from)."""
    version: int = request.path_params["version"]
    return json_response(await content.content_at(version, ctx=ctx))


async def put_content(request: Request, ctx: RequestContext) -> Response:
    """An administrator changes the texts: a new version, the old ones kept."""
    body = await read_body(request, LeaveBehindContentChange)
    return json_response(await content.change_content(body, ctx=ctx))


class SurveyForm(BaseModel):
    """The survey form as a browser posts it (every answer 1 to 5; only ``overall`` needed)."""

    overall: Literal["1", "2", "3", "4", "5"]
    ease_of_contact: Literal["1", "2", "3", "4", "5"] | None = None
    actions_taken: Literal["1", "2", "3", "4", "5"] | None = None
    kept_informed: Literal["1", "2", "3", "4", "5"] | None = None
    treatment: Literal["1", "2", "3", "4", "5"] | None = None
    comment: Annotated[str, Field(max_length=2000)] | None = None
    lang: Language | None = None


def _languages(ctx: RequestContext, link: surveys.Link | None) -> list[Language]:
    offered = [Language(code) for code in ctx.settings.leave_behind_languages]
    if link is not None and link.language not in offered:
        offered.append(link.language)
    return offered


def _language(asked: str | None, link: surveys.Link | None, offered: list[Language]) -> Language:
    if asked in {lang.value for lang in offered}:
        return Language(str(asked))
    return link.language if link is not None else offered[0]


def _html(body: str, status: int, retry_after: str | None = None) -> HTMLResponse:
    headers = dict(page.HEADERS)
    if retry_after:
        headers["Retry-After"] = retry_after
    return HTMLResponse(body, status_code=status, headers=headers)


async def _survey(request: Request, ctx: RequestContext, form: dict[str, str] | None) -> Response:
    asked = (form or {}).get("lang") or request.query_params.get("lang")
    try:
        link = await surveys.open_link(request.path_params["token"], ctx=ctx)
    except TooManyRequests as exc:
        offered = _languages(ctx, None)
        body = page.message_page(_language(asked, None, offered), offered, "too_many")
        return _html(body, 429, exc.headers.get("Retry-After"))
    offered = _languages(ctx, link)
    language = _language(asked, link, offered)
    if link is None:
        return _html(page.message_page(language, offered, "not_found"), 404)
    if link.state is surveys.LinkState.EXPIRED:
        days = ctx.settings.survey_link_seconds // 86400
        return _html(page.message_page(language, offered, "expired", days=days), 410)
    if link.state is surveys.LinkState.ANSWERED:
        return _html(page.message_page(language, offered, "answered"), 409)
    if form is None:
        return _html(page.form_page(language, offered), 200)
    try:
        await surveys.count_post(link, ctx=ctx)
    except TooManyRequests as exc:
        body = page.message_page(language, offered, "too_many")
        return _html(body, 429, exc.headers.get("Retry-After"))
    record, problems = surveys.read_answers(form, language)
    if record is None:
        return _html(page.form_page(language, offered, form, problems), 422)
    if not await surveys.answer(link, record, ctx=ctx):
        return _html(page.message_page(language, offered, "answered"), 409)
    return _html(page.message_page(language, offered, "thanks"), 200)


async def get_survey(request: Request, ctx: RequestContext) -> Response:
    """The survey form (or why it cannot be answered), in the victim's language."""
    return await _survey(request, ctx, None)


async def post_survey(request: Request, ctx: RequestContext) -> Response:
    """The victim's answers, as a plain HTML form posts them."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > _FORM_BYTES:
            break
    if media_type != "application/x-www-form-urlencoded" or len(raw) > _FORM_BYTES:
        raw = b""  # read as an empty form: every problem is named on the page
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        pairs = []
    return await _survey(request, ctx, dict(pairs))


endpoints = [
    Endpoint(
        "/api/visits/{visit_id:uuid}/addenda",
        "POST",
        post_addendum,
        summary="Add an addendum to a completed or approved visit (supervisors; officers sync)",
        tag="aftercare",
        body=AddendumCreate,
        response=AftercareRecord,
        status=201,
        errors=(403, 404, 409),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/visits/{visit_id:uuid}/aftercare",
        "GET",
        get_aftercare,
        summary="A visit's addenda, victim updates, survey answer and leave-behinds",
        tag="aftercare",
        response=AftercareSection,
        errors=(403, 404),
        roles=READERS,
    ),
    Endpoint(
        "/api/aftercare/overdue",
        "GET",
        get_overdue,
        summary="Visits whose victim is owed an update, most overdue first (paged, audited)",
        tag="aftercare",
        query=OverdueQuery,
        response=OverduePage,
        errors=(400, 403),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/aftercare/figures",
        "GET",
        get_figures,
        summary="Share of victims satisfied by week, area and team, beside the pilot's 74%",
        tag="aftercare",
        query=FiguresQuery,
        response=SatisfactionFigures,
        errors=(403,),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/leave-behind",
        "GET",
        get_content,
        summary="The leave-behind texts in force, in this force's languages (phones cache it)",
        tag="aftercare",
        response=LeaveBehindContentOut,
    ),
    Endpoint(
        "/api/leave-behind/versions/{version:int}",
        "GET",
        get_content_version,
        summary="One version of the leave-behind texts",
        tag="aftercare",
        response=LeaveBehindContentOut,
        errors=(404,),
    ),
    Endpoint(
        "/api/admin/leave-behind",
        "PUT",
        put_content,
        summary="Change the leave-behind texts (a new version; every text in each language)",
        tag="admin",
        body=LeaveBehindContentChange,
        response=LeaveBehindContentOut,
        errors=(403,),
        roles=ADMINS,
    ),
    Endpoint(
        "/s/{token}",
        "GET",
        get_survey,
        summary="The victim's satisfaction survey (public HTML; the link is the capability)",
        tag="survey",
        errors=(404, 409, 410, 429),
        public=True,
        response_media_type="text/html",
    ),
    Endpoint(
        "/s/{token}",
        "POST",
        post_survey,
        summary="Answer the survey once (an HTML form post; bad answers name the question)",
        tag="survey",
        body=SurveyForm,
        body_media_type="application/x-www-form-urlencoded",
        errors=(404, 409, 410, 422, 429),
        public=True,
        response_media_type="text/html",
    ),
]
