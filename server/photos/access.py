"""Who may touch which photo and upload: anything else is 404, whether it exists or not.

Officers write only photos of visits they may write (``may_write_visit``) and continue only
uploads on such photos; anyone reads a photo whose visit is in their scope (``visit_scope``).
A refusal never says whether the record exists; one about a record that does exist is raised
as ``OutOfScope`` (the same 404), so the guard writes a ``denied`` audit row naming it.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from tortoise import connections
from tortoise.models import Model

from server.auth.guard import OutOfScope
from server.auth.principal import Principal
from server.auth.scope import may_write_visit, visit_scope
from server.context import RequestContext
from server.db import sql
from server.errors import NotFound
from server.photos.models import Photo, Upload, UploadState
from server.photos.tus import tus_headers
from server.rows import columns_of
from server.visits.models import Visit


def _uuid_or_404(raw: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(f"No such {what}.") from exc


# What ``writable_photo`` decides on: the photo's visit and that visit's officer.
_PHOTO_OWNER_SQL = (
    "SELECT p.visit_id, v.officer_id, v.deleted FROM photo p JOIN visit v ON v.id = p.visit_id "
    "WHERE p.id = $1 AND p.deleted = $2"
)


async def writable_photo(principal: Principal, photo_id: uuid.UUID, visit_id: uuid.UUID) -> None:
    """Refuse (404) unless the photo belongs to that visit and the caller is the visit's
    officer. One fixed statement: every upload opens with it."""
    connection = connections.get("default")
    fields = Photo._meta.fields_map
    values = [
        fields["id"].to_db_value(photo_id, Photo),
        fields["deleted"].to_db_value(False, Photo),
    ]
    rows = await connection.execute_query_dict(sql(connection, _PHOTO_OWNER_SQL), values)
    row = rows[0] if rows else None
    owner = uuid.UUID(str(row["officer_id"])) if row else None
    if row is not None and not may_write_visit(principal, owner):
        raise OutOfScope("photos", photo_id, "No such photo.", code="photo_not_found")
    if row is None or uuid.UUID(str(row["visit_id"])) != visit_id or bool(row["deleted"]):
        raise NotFound("No such photo.", code="photo_not_found")


@cache
def _upload_with_photo_sql() -> str:
    """The upload, its photo and the photo's visit in one statement by primary key: what
    ``select_related("photo__visit")`` reads, written once (no query built per chunk)."""
    selected = [
        f'{alias}."{column}" AS "{alias}.{column}"'
        for alias, model in (("u", Upload), ("p", Photo), ("v", Visit))
        for column in columns_of(model)
    ]
    # Column names come from the models, never from a request.
    return (
        f"SELECT {', '.join(selected)} FROM photo_upload u "  # noqa: S608
        "JOIN photo p ON p.id = u.photo_id JOIN visit v ON v.id = p.visit_id WHERE u.id = $1"
    )


async def upload_with_photo(upload_id: uuid.UUID) -> Upload | None:
    """The upload with ``photo`` and ``photo.visit`` loaded (None if there is no such
    upload), built from the row as tortoise builds models it reads itself."""
    connection = connections.get("default")
    key = Upload._meta.fields_map["id"].to_db_value(upload_id, Upload)
    rows = await connection.execute_query_dict(sql(connection, _upload_with_photo_sql()), [key])
    if not rows:
        return None
    row = rows[0]

    def columns(alias: str, model: type[Model]) -> dict[str, Any]:
        return {c: row[f"{alias}.{c}"] for c in columns_of(model)}

    upload = Upload._init_from_db(**columns("u", Upload))
    photo = Photo._init_from_db(**columns("p", Photo))
    visit = Visit._init_from_db(**columns("v", Visit))
    object.__setattr__(photo, "_visit", visit)
    object.__setattr__(upload, "_photo", photo)
    return upload


async def upload_for(upload_id: str, *, ctx: RequestContext) -> Upload:
    """An upload the caller may continue: one they opened, not abandoned, on a photo of a
    visit they still own (a visit reassigned mid-upload takes no more of its bytes)."""
    principal = ctx.caller
    uid = _uuid_or_404(upload_id, "upload")
    upload = await upload_with_photo(uid)
    owner = upload.photo.visit.officer_id if upload else None  # type: ignore[attr-defined]
    opener = upload.officer_id if upload else None
    # Another officer's visit, or the upload of the officer the visit was reassigned from.
    if upload is not None and (
        not may_write_visit(principal, owner) or opener != principal.officer_id
    ):
        raise OutOfScope(
            "uploads", uid, "No such upload.", code="upload_not_found", headers=tus_headers()
        )
    if (
        upload is None
        or upload.state is UploadState.EXPIRED
        or (upload.state is UploadState.OPEN and upload.expires_at <= ctx.now)
        or upload.photo.deleted
        or upload.photo.visit.deleted
    ):
        raise NotFound("No such upload.", code="upload_not_found", headers=tus_headers())
    return upload


async def readable_photo(photo_id: str, *, ctx: RequestContext) -> Photo:
    """A photo whose visit is in the caller's scope (404 for anything else, existing or not)."""
    uid = _uuid_or_404(photo_id, "photo")
    photo = await Photo.filter(
        visit_scope(ctx.caller, ctx.settings, "visit__"), id=uid, deleted=False
    ).first()
    if photo is None:
        if await Photo.filter(id=uid, deleted=False).exists():  # asked only on refusals
            raise OutOfScope("photos", uid, "No such photo.", code="photo_not_found")
        raise NotFound("No such photo.", code="photo_not_found")
    return photo
