"""Display copies and thumbnails: decoded safely, oriented upright, every metadata block dropped.

Only the formats phones produce are opened (JPEG, PNG, WebP), with a pixel limit checked on
the header before any pixel is decoded. The output is a fresh JPEG saved without ``exif=``,
ICC profile, XMP or comments, so GPS position and anything appended to the original never
reach a derivative (SECURITY.md 18-19). Decoding is bounded by a memory budget
(``budget``, SECURITY.md 37): its cost is read from the header and reserved before a pixel is
decoded. These functions block: call them in a worker thread (``run_in_image_pool``); Pillow
releases the GIL while it decodes and resizes.
"""

from __future__ import annotations

import asyncio
import io
import math
import os
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TypeVar

from PIL import Image, ImageOps, UnidentifiedImageError

from server.photos.budget import BudgetExceeded, DecodeBudget

SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP")
DISPLAY_SIZE = 1600
THUMB_SIZE = 320
JPEG_QUALITY = 82
# The thumbnail is made from the display copy by box-averaging down to within this factor of
# its size before the Lanczos pass (Pillow's ``reducing_gap``): at 1.0 a 1600 px copy becomes a
# 320 px thumbnail by averaging 5 x 5 blocks, a tenth of the time of the default 2.0 and
# without aliasing (the original is kept; the thumbnail is only a preview).
THUMB_REDUCING_GAP = 1.0
# The decoded original (a JPEG already drafted to within 2x of the display size) is brought
# down to the display size bicubically, as Pillow's own ``thumbnail`` does: for a reduction
# that small it looks the same as Lanczos and takes a fifth less time, the largest cost
# after the decode itself.
DISPLAY_RESAMPLING = Image.Resampling.BICUBIC

T = TypeVar("T")

# warnings.catch_warnings swaps process-wide state; opening is only a header parse, so
# serialising it costs nothing and keeps one thread from restoring another's filters.
_OPEN_LOCK = threading.Lock()
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
# How much lower the image threads run than the worker's requests (a nice increment; on Linux
# niceness is per thread). Display copies and thumbnails are for the supervisor, later; at
# shift change their decoding took a fifth of the workers' CPU from the phones' syncs.
IMAGE_NICENESS = 10


class ImageRefused(Exception):
    """The bytes cannot be turned into derivatives; ``str()`` says why, for the officer."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"could not be decoded: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Derivatives:
    """The JPEG bytes of both derivatives and their pixel sizes."""

    display: bytes
    display_size: tuple[int, int]
    thumb: bytes
    thumb_size: tuple[int, int]


def open_image(fp: IO[bytes], max_pixels: int) -> Image.Image:
    """Open (parse the header of) an image, refusing other formats and too many pixels.

    Pillow only warns between about 89 and 179 megapixels; the warning is made an error for
    this call alone, and our own, lower limit is checked before anything is decoded.
    """
    with _OPEN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fp, formats=SUPPORTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRefused("the image claims more pixels than allowed") from exc
        except UnidentifiedImageError as exc:
            raise ImageRefused("not a JPEG, PNG or WebP image") from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRefused("the image header is damaged") from exc
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise ImageRefused(
            f"{width} x {height} pixels is more than the limit of {max_pixels:,} pixels"
        )
    return image


# Peak memory of ``make_derivatives`` per pixel it decodes (after any JPEG draft), measured
# with Pillow 13 as the rise in peak RSS while deriving from 12-megapixel images, rounded up:
# the decoded pixels (4 bytes each for RGB and RGBA), the reduction made from them (RGBA and
# LA are premultiplied into a second full-size copy first: PNG 10.3 bytes), and the codec's
# own buffers (WebP decodes to RGBA in a buffer of its own and copies it: 16.1 bytes).
DECODE_BYTES_PER_PIXEL = {"JPEG": 8, "PNG": 12, "WEBP": 20}


def decode_cost(image: Image.Image) -> int:
    """The memory decoding this opened (not yet loaded) image will take, from its header."""
    width, height = image.size
    per_pixel = DECODE_BYTES_PER_PIXEL.get(image.format or "", max(DECODE_BYTES_PER_PIXEL.values()))
    return width * height * per_pixel


def _draft_size(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """The smallest size JPEG draft may shrink to while the longest side stays >= ``longest``."""
    width, height = size
    scale = longest / max(width, height)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _rgb(image: Image.Image) -> Image.Image:
    """Flatten any mode phones produce to RGB (transparency on white)."""
    if image.mode == "RGB":
        return image
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        # 16-bit greyscale PNG: scale to 8 bits rather than clip.
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    """Encode as a bare JPEG: a fresh info dict, so no EXIF, ICC, XMP or comment is written."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _shrink(image: Image.Image, longest: int) -> Image.Image:
    """Bring the decoded image down to the display size at once, freeing its full-size pixels.

    Everything after this works on at most ``longest`` x ``longest`` pixels, so the memory a
    decode needs is the decoded image and its reduction (``decode_cost``), whatever follows.
    Palette and 1-bit images are widened first (resizing them would pick nearest pixels), and
    16-bit greyscale becomes 32-bit, which every resampling filter handles.
    """
    work = image
    if image.mode == "P":
        work = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "1":
        work = image.convert("L")
    elif image.mode.startswith("I;16"):
        work = image.convert("I")
    if work is not image:
        image.close()
    work.thumbnail((longest, longest), DISPLAY_RESAMPLING)  # in place: old pixels freed
    return work


def make_derivatives(
    fp: IO[bytes],
    max_pixels: int,
    *,
    budget: DecodeBudget,
    display_size: int = DISPLAY_SIZE,
    thumb_size: int = THUMB_SIZE,
) -> Derivatives:
    """Decode once (JPEG in draft mode) within the memory budget, orient, encode both copies.

    The decode waits until ``budget`` has room for its estimate (``decode_cost``, read from
    the header); an image whose estimate exceeds the whole budget is refused undecoded.
    """
    image = open_image(fp, max_pixels)
    try:
        if image.format == "JPEG" and max(image.size) > display_size:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: far less work and memory.
            image.draft("RGB", _draft_size(image.size, display_size))
        try:
            reservation = budget.reserve(decode_cost(image))
        except BudgetExceeded as exc:
            raise ImageRefused(f"too large to decode within the memory budget ({exc})") from exc
        with reservation:
            try:
                image.load()
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise ImageRefused("the image data is damaged or truncated") from exc
            small = _shrink(image, display_size)
        try:
            upright = ImageOps.exif_transpose(small)
        except Exception:  # A broken EXIF block must not lose the photo: keep it as stored.
            upright = small
        display = _rgb(upright)
        display.thumbnail((display_size, display_size), DISPLAY_RESAMPLING)  # already, mostly
        thumb = display.copy()
        thumb.thumbnail(
            (thumb_size, thumb_size), Image.Resampling.LANCZOS, reducing_gap=THUMB_REDUCING_GAP
        )
        return Derivatives(_jpeg(display), display.size, _jpeg(thumb), thumb.size)
    finally:
        image.close()


def _lower_priority() -> None:
    """Run this (image) thread behind the requests: it gets the CPU they leave, which
    under load is little, and all of it when the workers are idle."""
    if not sys.platform.startswith("linux"):  # Elsewhere niceness is the whole process's.
        return
    try:
        thread = threading.get_native_id()
        os.setpriority(
            os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + IMAGE_NICENESS
        )
    except OSError:  # Not allowed here: the same work, sooner.
        pass


def _pool() -> ThreadPoolExecutor:
    """A small pool of its own, so decoding never starves the default executor; its threads
    run behind the requests (``_lower_priority``)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            workers = max(1, min(4, os.cpu_count() or 1))
            _POOL = ThreadPoolExecutor(
                max_workers=workers,
                thread_name_prefix="doorstep-img",
                initializer=_lower_priority,
            )
        return _POOL


async def run_in_image_pool(work: Callable[[], T]) -> T:
    """Run blocking image work off the event loop, a few at a time (memory: ``budget``)."""
    return await asyncio.get_running_loop().run_in_executor(_pool(), work)
