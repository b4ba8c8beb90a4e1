"""Attempt counters in the database (every worker shares them), and what they are keyed on.

The rule (issue 14 item 5, SECURITY.md item 34): no limit may let one party deny service to
others. Nothing at sign-in can be guessed - a passkey signature cannot, and an enrolment code
has 98 bits - so limits here only keep floods cheap; they are never a lockout:

- **Never a collar number.** It is printed on the uniform; a limit keyed on it lets anyone
  lock that officer out of enrolling.
- **Never a credential id before its signature verifies.** A credential id is not a secret;
  counting unverified attempts on it would hand a lockout to whoever knows one. After the
  signature verifies there is nothing left to limit.
- **An address only slows a flood, with a generous budget, and only where nothing better
  tells a legitimate request apart.** A whole force may sit behind one NAT or mobile gateway:
  - sign-in options (each stores a challenge): ``DOORSTEP_SIGNIN_PER_ADDRESS_PER_MINUTE``
    per address (default 600); beyond it 429 with ``Retry-After``, which the app waits out.
    Verifying needs no limit of its own: each verify consumes a challenge from options, and
    one without a live challenge is refused before any lookup or audit row.
  - enrolment *failures* (a wrong, used or expired code) count per address; only failures are
    refused beyond the budget, so a valid code gets through whatever its address did.
- **A valid enrolment code is its own key:** only its holder can use up its budget.
- Signed-in requests never touch any of this (their own budget is in the backpressure
  middleware, ``server/observability.py``).

Counters are fixed windows of at most ``MAX_WINDOW_SECONDS``; ``server.auth.purge`` deletes
the ones whose window has ended.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from server.auth.models import RateCounter
from server.errors import TooManyRequests

log = logging.getLogger("doorstep.auth")

# Enrolment failures (wrong, used or expired codes) one address may make an hour.
ENROL_FAILURES_PER_ADDRESS_PER_HOUR = 60
# Enrolment ceremonies one valid code may start an hour (only its holder can use them up).
ENROL_STARTS_PER_CODE_PER_HOUR = 10
# The longest window any key uses: a counter older than this is the same as none.
MAX_WINDOW_SECONDS = 3600


def address_key(address: str) -> str:
    """The part of a client address that identifies one subscriber.

    IPv4 as it is; IPv6 by its /64, since one subscriber holds a whole /64 and could otherwise
    take a fresh budget for every request. Anything unparseable is kept as given.
    """
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


async def count_attempt(key: str, limit: int, window_seconds: int, now: datetime) -> None:
    """Count one attempt for ``key``; raise 429 with Retry-After once ``limit`` is passed."""
    assert window_seconds <= MAX_WINDOW_SECONDS, "purge would forget this counter too soon"
    async with in_transaction() as connection:
        counter = await RateCounter.filter(key=key).using_db(connection).select_for_update().first()
        if counter is None:
            await RateCounter.create(key=key, window_start=now, count=1, using_db=connection)
            return
        window_end = counter.window_start + timedelta(seconds=window_seconds)
        if now >= window_end:
            counter.window_start = now
            counter.count = 1
            window_end = now + timedelta(seconds=window_seconds)
        else:
            counter.count += 1
        await counter.save(using_db=connection, update_fields=["window_start", "count"])
    if counter.count > limit:
        if counter.count == limit + 1:  # once per window: the key names no person
            log.warning("rate limit reached", extra={"limit": key.split(":", 1)[0]})
        retry_after = max(1, int((window_end - now).total_seconds()) + 1)
        raise TooManyRequests(retry_after)
