"""Who may touch which photo and upload: anything else is 404, whether it exists or not.

Officers write only photos of visits they may write (``may_write_visit``) and continue only
uploads on such photos; anyone reads a photo whose visit is in their scope (``visit_scope``).
A refusal never says whether the record exists; one about a record that does exist is raised
as ``OutOfScope`` (the same 404), so the guard writes a ``denied`` audit row naming it.
"""

from __future__ import annotations

import uuid

from server.auth.guard import OutOfScope
from server.auth.principal import Principal
from server.auth.scope import may_write_visit, visit_scope
from server.context import RequestContext
from server.errors import NotFound
from server.photos.models import Photo, Upload, UploadState
from server.photos.tus import tus_headers


def _uuid_or_404(raw: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(f"No such {what}.") from exc


async def writable_photo(principal: Principal, photo_id: uuid.UUID, visit_id: uuid.UUID) -> Photo:
    """The photo, if it belongs to that visit and the caller is the visit's officer; else 404."""
    photo = await Photo.filter(id=photo_id, deleted=False).select_related("visit").first()
    owner = photo.visit.officer_id if photo else None  # type: ignore[attr-defined]
    if photo is not None and not may_write_visit(principal, owner):
        raise OutOfScope("photos", photo_id, "No such photo.", code="photo_not_found")
    if (
        photo is None
        or photo.visit_id != visit_id  # type: ignore[attr-defined]
        or photo.visit.deleted
    ):
        raise NotFound("No such photo.", code="photo_not_found")
    return photo


async def upload_for(upload_id: str, *, ctx: RequestContext) -> Upload:
    """An upload the caller may continue: one they opened, not abandoned, on a photo of a
    visit they still own (a visit reassigned mid-upload takes no more of its bytes)."""
    principal = ctx.caller
    uid = _uuid_or_404(upload_id, "upload")
    upload = await Upload.filter(id=uid).select_related("photo__visit").first()
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
