"""Display copies and thumbnails of verified originals, made once per content.

Derivatives are JPEGs, upright, without metadata (``images``); they are keyed by the
original's SHA-256, so two photos of the same bytes share them. They are made in the background
after the final PATCH has answered, and again on the first download if that failed. An original
that cannot be decoded is marked ``failed`` for derivatives and kept unchanged.
"""

from __future__ import annotations

import logging
import uuid

from server.photos import images
from server.photos.budget import decode_budget
from server.photos.enums import PhotoStatus
from server.photos.models import DerivativeStatus, Photo
from server.photos.store import PhotoStore, derivative_key
from server.settings import Settings

log = logging.getLogger("doorstep.photos")


async def ensure_derivatives(photo_id: uuid.UUID, store: PhotoStore, settings: Settings) -> Photo:
    """Make the display copy and thumbnail of a verified photo if they are not made yet."""
    photo = await Photo.get(id=photo_id)
    if (
        photo.status is not PhotoStatus.VERIFIED
        or photo.original_key is None
        or photo.original_sha256 is None
        or photo.derivative_status in {DerivativeStatus.READY, DerivativeStatus.FAILED}
    ):
        return photo
    sha = photo.original_sha256
    display_key = derivative_key(sha, "display", images.DISPLAY_SIZE)
    thumb_key = derivative_key(sha, "thumb", images.THUMB_SIZE)
    # The same bytes (another photo of the same content) may have been derived already.
    if not (await store.exists(display_key) and await store.exists(thumb_key)):
        original = photo.original_key
        budget = decode_budget(settings.image_decode_budget_bytes)

        def work() -> images.Derivatives:
            with store.open_sync(original) as fp:
                return images.make_derivatives(fp, settings.max_image_pixels, budget=budget)

        try:
            made = await images.run_in_image_pool(work)
        except images.ImageRefused as exc:
            await Photo.filter(id=photo_id).update(
                derivative_status=DerivativeStatus.FAILED, derivative_message=str(exc)[:200]
            )
            log.info("photo could not be decoded", extra={"photo_id": str(photo_id)})
            return await Photo.get(id=photo_id)
        await store.put_bytes(display_key, made.display)
        await store.put_bytes(thumb_key, made.thumb)
    await Photo.filter(id=photo_id).update(
        derivative_status=DerivativeStatus.READY,
        derivative_message=None,
        display_key=display_key,
        thumb_key=thumb_key,
    )
    return await Photo.get(id=photo_id)


async def derive_in_background(photo_id: uuid.UUID, store: PhotoStore, settings: Settings) -> None:
    """Run after a final PATCH has answered; a failure is retried on the first download."""
    try:
        await ensure_derivatives(photo_id, store, settings)
    except Exception:
        log.warning("derivatives not made yet", extra={"photo_id": str(photo_id)}, exc_info=True)
