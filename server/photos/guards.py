"""What may still go into a photo's original: the rules every upload is held to, and how a
refused upload ends.

The photo record, its visit and the visit's officer can all change while bytes arrive (a sync
push, a review, a reassignment), so an upload is checked when it is opened, when each PATCH
starts, and again on the rows locked by the transaction that would verify it:

- the photo and its visit still exist, and the uploader is still the visit's officer (else
  404, as for anyone else's upload);
- the visit is not approved (``UPLOADABLE_VISIT_STATUSES``): 409 ``visit_locked``;
- the upload's sha256, length and type are what the photo's record declares now: the record
  names the bytes, so an upload opened for other bytes can never complete (409
  ``photo_mismatch``);
- a verified photo never takes other bytes (409 ``already_verified``): evidence is immutable
  (SECURITY.md 30), which the database also enforces (migration ``*_evidence_immutable``);
  for the same reason sync may not change the fields describing its bytes
  (``verified_bytes_change``, rejected ``photo_verified``).

A refused upload is ended (``ending``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.errors import Conflict, DoorstepError, NotFound
from server.photos.enums import PhotoStatus
from server.photos.models import Photo, Upload
from server.photos.tus import tus_headers
from server.visits.enums import VisitStatus
from server.visits.models import Visit

# A completed visit still takes uploads: the officer completes it at the door and the photos
# follow when there is signal (SPEC.md 2). That cannot change its evidence: from completion
# its photo records, and so their sha256, are locked (sync ``visit_locked``), and an upload
# must match them. A returned visit is editable again. An approved one is closed: what the
# supervisor approved is what is stored (a photo still missing needs the visit returned).
UPLOADABLE_VISIT_STATUSES = frozenset(
    {VisitStatus.DRAFT, VisitStatus.RETURNED, VisitStatus.COMPLETED}
)


# A photo record's fields that describe its bytes, and the verified original's fact each
# must then keep: once the bytes are verified, a different picture is a new photo.
BYTE_FIELDS = {
    "sha256": "original_sha256",
    "byte_size": "original_bytes",
    "content_type": "original_content_type",
}


def verified_bytes_change(photo: Photo, fields: Mapping[str, Any]) -> str | None:
    """The first of ``fields`` (a sync put) that would describe bytes other than the photo's
    verified original; None if it has none yet, or the put keeps them."""
    if photo.original_sha256 is None:
        return None
    for path, column in BYTE_FIELDS.items():
        if path in fields and fields[path] != getattr(photo, column):
            return path
    return None


def upload_not_found() -> NotFound:
    """404 for an upload the caller may not continue (theirs or not, existing or not)."""
    return NotFound("No such upload.", code="upload_not_found", headers=tus_headers())


def visit_locked(visit: Visit) -> Conflict:
    """409: the visit takes no more photo bytes."""
    return Conflict(
        f"The visit is {visit.status.value}: it takes no more photos. Ask the supervisor to "
        "return it, then upload again.",
        code="visit_locked",
        details={"visit_id": str(visit.id), "visit_status": visit.status.value},
        headers=tus_headers(),
    )


def declared_clashes(photo: Photo, sha256: str, length: int, content_type: str) -> list[str]:
    """The fields in which an upload differs from what the photo's record declares.

    The record must name its sha256 (the bytes it expects); a length or type it leaves out
    is not compared.
    """
    return [
        name
        for name, declared, stored in (
            ("sha256", sha256, photo.sha256),
            ("byte_size", length, photo.byte_size),
            ("content_type", content_type, photo.content_type),
        )
        if declared != stored and (stored is not None or name == "sha256")
    ]


def photo_mismatch(clashes: list[str], *, started: bool) -> Conflict:
    """409: the upload is not for the bytes the photo's record declares."""
    what = ", ".join(clashes)
    message = (
        f"The photo's record changed while it was uploading ({what} now differ); "
        "upload it again from the phone."
        if started
        else f"The upload does not match the photo the phone recorded: {what} differ."
    )
    return Conflict(
        message, code="photo_mismatch", details={"fields": clashes}, headers=tus_headers()
    )


def already_verified() -> Conflict:
    """409: the photo's original is verified with other bytes."""
    return Conflict(
        "This photo is already verified with other bytes; evidence is never replaced.",
        code="already_verified",
        headers=tus_headers(),
    )


def upload_refusal(
    upload: Upload, photo: Photo | None, visit: Visit | None
) -> DoorstepError | None:
    """Why this open upload may no longer go on (None if it may), given current rows."""
    if (
        photo is None
        or photo.deleted
        or visit is None
        or visit.deleted
        or visit.officer_id != upload.officer_id  # type: ignore[attr-defined]
    ):
        return upload_not_found()
    if visit.status not in UPLOADABLE_VISIT_STATUSES:
        return visit_locked(visit)
    clashes = declared_clashes(photo, upload.sha256, upload.upload_length, upload.content_type)
    if clashes:
        return photo_mismatch(clashes, started=True)
    if photo.status is PhotoStatus.VERIFIED and photo.original_sha256 != upload.sha256:
        return already_verified()
    return None
