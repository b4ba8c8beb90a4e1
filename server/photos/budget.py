"""A memory budget for decoding images: decodes wait their turn rather than exhaust memory.

The image pool runs a few decodes at once, and one 60-megapixel PNG or WebP alone can take
about a gigabyte while it decodes, so a count of threads bounds nothing. Each decode instead
reserves its estimated memory (``images.decode_cost``, from the header, before a pixel is
decoded) and waits, first come first served, until that much of the budget is free. Only an
image whose estimate exceeds the whole budget is refused, since it could never fit.

One budget per worker process and limit (``decode_budget``): the limit is per process, so the
whole server's bound is the workers times ``DOORSTEP_IMAGE_DECODE_BUDGET_BYTES``.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


class BudgetExceeded(Exception):
    """An estimate larger than the whole budget: waiting would never help."""


class DecodeBudget:
    """Bytes that decodes in this process may hold at once, handed out in arrival order."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a decode budget must be at least one byte")
        self.limit = limit
        self.in_use = 0
        # The most ever reserved at once (tests and metrics read it).
        self.peak = 0
        self._changed = threading.Condition()
        self._tickets = itertools.count()
        self._serving = 0

    def reserve(self, nbytes: int) -> AbstractContextManager[None]:
        """Hold ``nbytes`` of the budget for a block, waiting (in order) until they fit.

        Raises ``BudgetExceeded`` at once if ``nbytes`` could never fit. First come, first
        served: a large decode at the head of the queue is not overtaken by a stream of small
        ones, so nobody waits for ever.
        """
        if nbytes > self.limit:
            raise BudgetExceeded(f"needs {nbytes:,} bytes, more than the budget of {self.limit:,}")
        return self._held(nbytes)

    @contextmanager
    def _held(self, nbytes: int) -> Iterator[None]:
        with self._changed:
            ticket = next(self._tickets)
            self._changed.wait_for(
                lambda: ticket == self._serving and self.in_use + nbytes <= self.limit
            )
            self._serving += 1
            self.in_use += nbytes
            self.peak = max(self.peak, self.in_use)
            self._changed.notify_all()  # the next in line may fit too
        try:
            yield
        finally:
            with self._changed:
                self.in_use -= nbytes
                self._changed.notify_all()


_BUDGETS: dict[int, DecodeBudget] = {}
_BUDGETS_LOCK = threading.Lock()


def decode_budget(limit: int) -> DecodeBudget:
    """This process's budget of ``limit`` bytes (one shared object per limit)."""
    with _BUDGETS_LOCK:
        budget = _BUDGETS.get(limit)
        if budget is None:
            budget = _BUDGETS[limit] = DecodeBudget(limit)
        return budget
