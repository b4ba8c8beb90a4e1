"""tus 1.0.0 on the wire: every tus header, constant and error, read and written here only.

This server speaks tus 1.0.0 core with the creation and checksum (sha256) extensions. Every
tus response carries ``Tus-Resumable``, errors included; errors keep the API's JSON shape, with
tus's own status codes (412, 460). The upload services raise the errors made here, so no other
module spells a tus header name.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass

from pydantic import ValidationError
from starlette.datastructures import Headers

from server.errors import (
    BadRequest,
    Conflict,
    DoorstepError,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    validation_problems,
)
from server.photos.enums import PhotoStatus
from server.photos.schemas import IGNORED_METADATA_KEYS, UploadMetadata

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum"
TUS_CHECKSUM_ALGORITHMS = "sha256"
CHUNK_MEDIA_TYPE = "application/offset+octet-stream"
# A header value longer than this is not a byte count this server could ever accept.
_MAX_DIGITS = 15


class PreconditionFailed(DoorstepError):
    """The client does not speak tus 1.0.0 (no or another ``Tus-Resumable``)."""

    status = 412
    code = "tus_version_unsupported"
    message = "Send Tus-Resumable: 1.0.0; this server speaks tus 1.0.0 only."


class Gone(DoorstepError):
    """The upload ended without a verified file; start a new one."""

    status = 410
    code = "upload_gone"
    message = "This upload has ended; create a new one."


class ChecksumMismatch(DoorstepError):
    """tus checksum extension: the chunk did not match its ``Upload-Checksum`` (460)."""

    status = 460
    code = "checksum_mismatch"
    message = "The chunk does not match its Upload-Checksum; nothing was stored. Send it again."


class FileMismatch(DoorstepError):
    """Every byte arrived but the whole file does not match the declared SHA-256."""

    status = 422
    code = "sha256_mismatch"
    message = (
        "The whole file does not match the SHA-256 declared for the photo; it was not stored. "
        "Upload the photo again."
    )


# --- headers the server sends ----------------------------------------------------------------


def tus_headers(**extra: str) -> dict[str, str]:
    """Headers every tus response carries, plus any given."""
    return {"Tus-Resumable": TUS_VERSION, **extra}


def capability_headers(max_upload_bytes: int) -> dict[str, str]:
    """OPTIONS: what this tus server supports."""
    return tus_headers(
        **{
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Checksum-Algorithm": TUS_CHECKSUM_ALGORITHMS,
            "Tus-Max-Size": str(max_upload_bytes),
        }
    )


def created_headers(location: str, offset: int) -> dict[str, str]:
    """POST: where the new upload is, and its offset."""
    return tus_headers(Location=location, **{"Upload-Offset": str(offset)})


def progress_headers(offset: int, length: int) -> dict[str, str]:
    """HEAD: where an upload stands (never cached)."""
    return tus_headers(
        **{"Upload-Offset": str(offset), "Upload-Length": str(length), "Cache-Control": "no-store"}
    )


def offset_headers(offset: int) -> dict[str, str]:
    """PATCH: the offset after the chunk."""
    return tus_headers(**{"Upload-Offset": str(offset)})


# --- errors the upload services raise ---------------------------------------------------------


def upload_too_large(limit: int) -> PayloadTooLarge:
    """413 for an ``Upload-Length`` over the limit, naming the limit in ``Tus-Max-Size``."""
    return PayloadTooLarge(
        f"A photo may be at most {limit} bytes.",
        details={"limit_bytes": limit},
        headers={"Tus-Max-Size": str(limit), "Tus-Resumable": TUS_VERSION},
    )


def chunk_too_large(limit: int) -> PayloadTooLarge:
    """413 for a chunk that runs past the ``Upload-Length`` declared at creation."""
    return PayloadTooLarge(
        "The chunk runs past the Upload-Length declared at creation.",
        code="chunk_too_large",
        details={"limit_bytes": limit},
        headers=tus_headers(),
    )


def offset_conflict(current: int, message: str, code: str = "offset_mismatch") -> Conflict:
    """409 naming the upload's current offset, so the client can resume from there."""
    return Conflict(
        message,
        code=code,
        details={"upload_offset": current},
        headers=tus_headers(**{"Upload-Offset": str(current)}),
    )


def checksum_mismatch(offset: int) -> ChecksumMismatch:
    """460: the chunk sent at ``offset`` did not match its ``Upload-Checksum``."""
    return ChecksumMismatch(
        details={"upload_offset": offset},
        headers=tus_headers(**{"Upload-Offset": str(offset)}),
    )


def upload_gone(message: str | None) -> Gone:
    """410 for an upload that ended without a verified file (the message says why)."""
    return Gone(message or Gone.message, headers=tus_headers())


def file_mismatch(message: str, photo_id: uuid.UUID) -> FileMismatch:
    """422: the whole file did not match, so the photo is marked failed."""
    return FileMismatch(
        message,
        details={"photo_id": str(photo_id), "photo_status": PhotoStatus.FAILED.value},
        headers=tus_headers(),
    )


# --- headers the client sends -----------------------------------------------------------------


@dataclass(frozen=True)
class Creation:
    """A creation request (POST) as read from its headers."""

    length: int
    metadata: UploadMetadata


@dataclass(frozen=True)
class Chunk:
    """A PATCH as read from its headers: where the chunk goes and how to check it."""

    offset: int
    checksum: bytes | None
    # Content-Length when the client sent one (absent with chunked transfer encoding).
    declared_length: int | None


def require_version(headers: Headers) -> None:
    """412 unless the client speaks tus 1.0.0."""
    if headers.get("tus-resumable") != TUS_VERSION:
        raise PreconditionFailed(headers={"Tus-Version": TUS_VERSION})


def read_creation(headers: Headers, max_upload_bytes: int) -> Creation:
    """Check a creation request's headers, refusing an oversized one before any database work."""
    require_version(headers)
    if "upload-defer-length" in headers:
        raise BadRequest("Upload-Defer-Length is not supported.", code="defer_length_unsupported")
    if headers.get("content-length", "0") not in {"", "0"}:
        raise BadRequest(
            "Creation with upload is not supported: send the bytes by PATCH.",
            code="creation_with_upload_unsupported",
        )
    length = _whole_number(headers, "upload-length")
    if length < 1:
        raise BadRequest("Upload-Length must be at least 1.", code="bad_tus_header")
    if length > max_upload_bytes:
        raise upload_too_large(max_upload_bytes)
    return Creation(length, parse_metadata(headers.get("upload-metadata", "")))


def read_chunk(headers: Headers) -> Chunk:
    """Check a PATCH's headers: tus version, media type, offset and optional checksum."""
    require_version(headers)
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != CHUNK_MEDIA_TYPE:
        raise UnsupportedMediaType(f"Send the chunk as {CHUNK_MEDIA_TYPE}.")
    offset = _whole_number(headers, "upload-offset")
    checksum = parse_checksum(headers.get("upload-checksum"))
    raw_length = headers.get("content-length", "")
    declared = int(raw_length) if raw_length.isdigit() and len(raw_length) <= _MAX_DIGITS else None
    return Chunk(offset, checksum, declared)


def _whole_number(headers: Headers, name: str) -> int:
    raw = headers.get(name)
    if raw is None or not raw.isdigit() or len(raw) > _MAX_DIGITS:
        raise BadRequest(f"Send {name} as a whole number of bytes.", code="bad_tus_header")
    return int(raw)


def parse_metadata(header: str) -> UploadMetadata:
    """Decode ``Upload-Metadata`` (comma-separated ``key base64value`` pairs) and validate it."""
    values: dict[str, str] = {}
    for item in header.split(","):
        item = item.strip()
        if not item:
            continue
        key, _, encoded = item.partition(" ")
        if not key or key in values:
            raise BadRequest(
                "Upload-Metadata has an empty or repeated key.", code="bad_upload_metadata"
            )
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise BadRequest(
                "Upload-Metadata values must be base64 of UTF-8 text.",
                code="bad_upload_metadata",
                details={"key": key[:40]},
            ) from exc
    data = {k: v for k, v in values.items() if k not in IGNORED_METADATA_KEYS}
    try:
        return UploadMetadata.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed.from_fields(validation_problems(exc, ("Upload-Metadata",))) from exc


def parse_checksum(header: str | None) -> bytes | None:
    """The SHA-256 digest named by ``Upload-Checksum: sha256 <base64>`` (None if absent)."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm.lower() != "sha256":
        raise BadRequest(
            "Only sha256 is supported in Upload-Checksum.",
            code="checksum_algorithm_unsupported",
            details={"supported": [TUS_CHECKSUM_ALGORITHMS]},
            headers=tus_headers(**{"Tus-Checksum-Algorithm": TUS_CHECKSUM_ALGORITHMS}),
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != 32:
        raise BadRequest(
            "Upload-Checksum must be 'sha256 ' and the base64 of a 32-byte digest.",
            code="bad_upload_checksum",
        )
    return digest
