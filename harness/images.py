"""Photos made on the spot."""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image


def jpeg_bytes(
    size: tuple[int, int] = (640, 480), *, noise: bool = False, exif: Image.Exif | None = None
) -> bytes:
    """A JPEG with a gradient (and noise, to make it larger)."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    if noise:
        image = Image.blend(image, Image.effect_noise(size, 80).convert("RGB"), 0.5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256, as the phone declares it."""
    return hashlib.sha256(data).hexdigest()


def noisy_jpeg(seed: int, size: tuple[int, int]) -> bytes:
    """A JPEG of random pixels: megabytes that do not compress away (as photos do not)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
