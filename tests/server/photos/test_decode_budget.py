"""Decoding is bounded by a memory budget (issue 14 item 7, SECURITY.md 37): concurrent decodes
of large images wait their turn instead of taking gigabytes at once; an image that could never
fit is refused before a pixel is decoded, and its original is kept."""

from __future__ import annotations

import dataclasses
import io
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from PIL import Image, PngImagePlugin

from harness.phone import PhotoPhone
from harness.tus import TusClient
from server.photos.budget import BudgetExceeded, DecodeBudget
from server.photos.images import (
    DECODE_BYTES_PER_PIXEL,
    ImageRefused,
    decode_cost,
    make_derivatives,
    open_image,
)
from server.settings import Settings
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
LIMIT = 60_000_000
SMALL_BUDGET = 16 * 1024 * 1024  # the least DOORSTEP_IMAGE_DECODE_BUDGET_BYTES allows


def png(width: int, height: int) -> bytes:
    """A gradient PNG (small on disk, width x height x 4 bytes once decoded)."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "PNG")
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    """A gradient JPEG."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG")
    return out.getvalue()


class DecodeWatch:
    """Counts PNG decodes running at the same time (each held a moment, to overlap)."""

    def __init__(self) -> None:
        self.active = 0
        self.most = 0
        self.calls = 0
        self._lock = threading.Lock()

    @contextmanager
    def installed(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[DecodeWatch]:
        real_load = PngImagePlugin.PngImageFile.load

        def load(image: PngImagePlugin.PngImageFile) -> object:
            if not image.tile:  # already decoded: nothing to watch
                return real_load(image)
            with self._lock:
                self.calls += 1
                self.active += 1
                self.most = max(self.most, self.active)
            try:
                time.sleep(0.05)
                return real_load(image)
            finally:
                with self._lock:
                    self.active -= 1

        monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", load)
        yield self


def test_decode_cost_is_read_from_the_header_before_any_pixel_is_decoded() -> None:
    image = open_image(io.BytesIO(png(3000, 2000)), LIMIT)
    assert decode_cost(image) == 3000 * 2000 * DECODE_BYTES_PER_PIXEL["PNG"]
    # A JPEG decodes in draft mode: the cost is that of the reduced size.
    budget = DecodeBudget(10**9)
    made = make_derivatives(io.BytesIO(jpeg(4000, 3000)), LIMIT, budget=budget)
    assert made.display_size == (1600, 1200)
    assert budget.peak == 2000 * 1500 * DECODE_BYTES_PER_PIXEL["JPEG"]
    assert budget.in_use == 0


def test_concurrent_decodes_of_large_images_wait_for_the_memory_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = png(3000, 2000)
    cost = 3000 * 2000 * DECODE_BYTES_PER_PIXEL["PNG"]
    budget = DecodeBudget(cost + cost // 2)  # room for one at a time, not two
    with DecodeWatch().installed(monkeypatch) as watch, ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda _: make_derivatives(io.BytesIO(data), LIMIT, budget=budget), range(4))
        )
    assert [r.display_size for r in results] == [(1600, 1067)] * 4  # all waited, none failed
    assert watch.calls == 4
    assert watch.most == 1
    assert budget.peak == cost
    assert budget.in_use == 0


def test_an_image_that_could_never_fit_the_budget_is_refused_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    budget = DecodeBudget(SMALL_BUDGET)
    with DecodeWatch().installed(monkeypatch) as watch:
        with pytest.raises(ImageRefused, match="memory budget"):
            make_derivatives(io.BytesIO(png(2000, 1000)), LIMIT, budget=budget)
        assert watch.calls == 0
        # A smaller image still goes through the same budget.
        made = make_derivatives(io.BytesIO(png(1000, 800)), LIMIT, budget=budget)
    assert made.display_size == (1000, 800)
    assert budget.in_use == 0


def test_a_large_decode_is_not_overtaken_by_small_ones() -> None:
    budget = DecodeBudget(100)
    order: list[str] = []
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with budget.reserve(60):
            holding.set()
            release.wait(5)
            order.append("first done")

    def take(name: str, size: int) -> None:
        with budget.reserve(size):
            order.append(name)

    first = threading.Thread(target=hold)
    first.start()
    assert holding.wait(5)
    large = threading.Thread(target=take, args=("large", 80))
    large.start()
    time.sleep(0.05)  # the large one is queued before the small one arrives
    small = threading.Thread(target=take, args=("small", 10))
    small.start()
    time.sleep(0.05)
    assert order == []  # 60 + 10 would fit, but the small one waits its turn
    release.set()
    for thread in (first, large, small):
        thread.join(5)
    assert order == ["first done", "large", "small"]
    with pytest.raises(BudgetExceeded), budget.reserve(101):
        pass


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The photo tests' settings with the smallest decode budget allowed."""
    return dataclasses.replace(settings, image_decode_budget_bytes=SMALL_BUDGET)


async def test_a_photo_too_large_for_the_budget_keeps_its_original_and_says_why(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled()
    data = png(2000, 1000)
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data, content_type="image/png")
    await TusClient(officer.client).upload(photo_id, visit_id, data, content_type="image/png")
    display = await officer.client.get(f"/api/photos/{photo_id}/display")
    assert display.status_code == 404
    assert display.json()["error"]["code"] == "derivative_unavailable"
    assert "memory budget" in display.json()["error"]["message"]
    original = await officer.client.get(f"/api/photos/{photo_id}/original")
    assert original.status_code == 200
    assert original.content == data
