"""What tests and benchmarks share to run Doorstep for real, one module per job.

* ``ports``: a free TCP port.
* ``processes``: a child process with a readiness probe, log scanning and a clean stop; the
  ``doorstep`` command run from this checkout.
* ``postgres``: a throwaway PostgreSQL database (create, drop; URLs for asyncpg and tortoise).
* ``server``: one ``doorstep serve`` on its own SQLite database, stopped and restarted at will.
* ``stack``: two ``doorstep serve`` workers behind the real Caddy, on one PostgreSQL database.
* ``http``: gzip JSON bodies, hand-written HTTP/1.1, cookies and request ids.
* ``tus``: the tus headers and a small tus client.
* ``authenticator``: the software WebAuthn authenticator.
* ``passkeys``: enrolment and sign-in over HTTP; accounts made by an administrator over HTTP.
* ``phone``: a phone that speaks the sync protocol over HTTP.
* ``images``: JPEGs made on the spot.
* ``browser``: Chromium for Playwright, its virtual authenticator, the officer's app in it.

It drives Doorstep only through what it offers the world: HTTP, the ``doorstep`` command,
settings in the environment. It is not part of the installed distribution: tests reach it
through pytest's ``pythonpath``, benchmarks by putting the repository root on ``sys.path``.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
