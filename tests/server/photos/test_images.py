"""Derivatives: upright for every EXIF orientation, no metadata, bombs refused at open."""

from __future__ import annotations

import io
import os
import struct
import sys
import threading
import time
import tracemalloc
import warnings
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageCms

from server.photos.budget import DecodeBudget
from server.photos.images import (
    IMAGE_NICENESS,
    ImageRefused,
    make_derivatives,
    open_image,
    run_in_image_pool,
)

LIMIT = 60_000_000
BUDGET = DecodeBudget(1_200_000_000)
RED, GREEN, BLUE, YELLOW = (230, 20, 20), (20, 200, 20), (20, 20, 230), (240, 230, 20)


def upright_image(width: int = 96, height: int = 64) -> Image.Image:
    """An asymmetric picture: four coloured quarters, wider than tall."""
    image = Image.new("RGB", (width, height))
    half_w, half_h = width // 2, height // 2
    image.paste(RED, (0, 0, half_w, half_h))
    image.paste(GREEN, (half_w, 0, width, half_h))
    image.paste(BLUE, (0, half_h, half_w, height))
    image.paste(YELLOW, (half_w, half_h, width, height))
    return image


T = Image.Transpose
# How a camera stores an upright scene for each EXIF orientation (EXIF 2.32, tag 0x0112): the
# stored pixels are the upright picture transformed by the inverse of the display transform.
STORED: dict[int, Callable[[Image.Image], Image.Image]] = {
    1: lambda im: im.copy(),
    2: lambda im: im.transpose(T.FLIP_LEFT_RIGHT),  # mirrored horizontally
    3: lambda im: im.transpose(T.ROTATE_180),
    4: lambda im: im.transpose(T.FLIP_TOP_BOTTOM),  # mirrored vertically
    5: lambda im: im.transpose(T.TRANSPOSE),  # mirrored along the main diagonal
    6: lambda im: im.transpose(T.ROTATE_90),  # display rotates 90 clockwise
    7: lambda im: im.transpose(T.TRANSVERSE),  # mirrored along the anti-diagonal
    8: lambda im: im.transpose(T.ROTATE_270),  # display rotates 90 counter-clockwise
}


def jpeg_with(image: Image.Image, **save: object) -> bytes:
    """Encode a JPEG with the given save options (exif=, icc_profile=, comment=...)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **save)  # type: ignore[arg-type]
    return out.getvalue()


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    """JPEG-approximate colour equality."""
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=False))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(orientation: int) -> None:
    upright = upright_image()
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = jpeg_with(STORED[orientation](upright), exif=exif)
    made = make_derivatives(io.BytesIO(data), LIMIT, budget=BUDGET)
    for payload, size in ((made.display, made.display_size), (made.thumb, made.thumb_size)):
        out = Image.open(io.BytesIO(payload))
        assert out.size == size == (96, 64)
        w, h = out.size
        assert close_to(out.getpixel((w // 4, h // 4)), RED)
        assert close_to(out.getpixel((3 * w // 4, h // 4)), GREEN)
        assert close_to(out.getpixel((w // 4, 3 * h // 4)), BLUE)
        assert close_to(out.getpixel((3 * w // 4, 3 * h // 4)), YELLOW)
        assert not out.getexif()


def test_derivatives_carry_no_metadata_at_all() -> None:
    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (52.0, 11.0, 30.0), 3: "W", 4: (2.0, 13.0, 0.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>'
    data = jpeg_with(
        upright_image(2400, 1800), exif=exif, icc_profile=icc, comment=b"victim", xmp=xmp
    )
    data += b"APPENDED-AFTER-EOI"
    made = make_derivatives(io.BytesIO(data), LIMIT, budget=BUDGET)
    for payload in (made.display, made.thumb):
        out = Image.open(io.BytesIO(payload))
        assert set(out.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
        assert not out.getexif()
        for marker in (b"Exif\x00\x00", b"ICC_PROFILE", b"adobe:ns:meta", b"victim", b"APPENDED"):
            assert marker not in payload
    assert made.display_size == (1600, 1200)
    assert made.thumb_size == (320, 240)


def test_png_with_alpha_and_text_and_webp_become_plain_jpegs() -> None:
    from PIL import PngImagePlugin

    rgba = Image.new("RGBA", (50, 40), (10, 20, 30, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "address of the victim")
    png = io.BytesIO()
    rgba.save(png, "PNG", pnginfo=info)
    made = make_derivatives(io.BytesIO(png.getvalue()), LIMIT, budget=BUDGET)
    out = Image.open(io.BytesIO(made.display))
    assert out.format == "JPEG"
    assert close_to(out.getpixel((5, 5)), (255, 255, 255))  # transparency on white
    assert b"address" not in made.display
    webp = io.BytesIO()
    upright_image().save(webp, "WEBP")
    assert Image.open(io.BytesIO(make_derivatives(webp, LIMIT, budget=BUDGET).display)).size == (
        96,
        64,
    )


def test_twelve_megapixel_jpeg_is_decoded_in_draft_mode_and_rotated() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = jpeg_with(upright_image(4000, 3000), exif=exif)
    started = time.perf_counter()
    made = make_derivatives(io.BytesIO(data), LIMIT, budget=BUDGET)
    assert time.perf_counter() - started < 5
    assert made.display_size == (1200, 1600)
    assert made.thumb_size == (240, 320)


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A greyscale PNG claiming width x height pixels of zeros: a few hundred KB on disk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte per pixel
    pieces = [compressor.compress(row) for _ in range(height)]
    pieces.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(pieces))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The 20000 x 20000 PNG bomb (built once)."""
    return png_bomb()


def test_png_bomb_is_refused_at_open_quickly_and_without_memory(bomb: bytes) -> None:
    assert 100_000 < len(bomb) < 1_000_000
    filters_before = list(warnings.filters)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        with pytest.raises(ImageRefused, match="could not be decoded"):
            make_derivatives(io.BytesIO(bomb), LIMIT, budget=BUDGET)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024  # decoding would need 400 MB
    assert warnings.filters == filters_before  # nothing global was changed


def test_our_pixel_limit_and_pillows_warning_band_both_refuse() -> None:
    # 81 MP: over our 60 MP limit, under Pillow's own warning threshold (~89 MP).
    with pytest.raises(ImageRefused, match="more than the limit"):
        open_image(io.BytesIO(png_bomb(9000, 9000)), LIMIT)
    # 100 MP with a generous limit of ours: Pillow's warning band, made an error for the call.
    with pytest.raises(ImageRefused, match="more pixels than allowed"):
        open_image(io.BytesIO(png_bomb(10_000, 10_000)), 500_000_000)
    # A small image is fine.
    assert open_image(io.BytesIO(png_bomb(100, 100)), LIMIT).size == (100, 100)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_formats_phones_do_not_produce_are_refused(fmt: str) -> None:
    out = io.BytesIO()
    upright_image().save(out, fmt)
    with pytest.raises(ImageRefused, match="not a JPEG, PNG or WebP image"):
        make_derivatives(io.BytesIO(out.getvalue()), LIMIT, budget=BUDGET)


def test_truncated_jpeg_is_refused_with_a_clear_reason() -> None:
    data = jpeg_with(upright_image(800, 600))
    with pytest.raises(ImageRefused, match="damaged or truncated"):
        make_derivatives(io.BytesIO(data[: len(data) // 2]), LIMIT, budget=BUDGET)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
async def test_image_work_runs_behind_the_requests_threads() -> None:
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    requests = niceness()
    assert await run_in_image_pool(niceness) == min(requests + IMAGE_NICENESS, 19)
    assert niceness() == requests  # the event loop's thread keeps its place
