"""The ASGI entry point for uvicorn workers: settings come from the environment.

Once the app is built, everything imported and made so far lives as long as the worker, so it
is moved out of the cyclic garbage collector's sight (``gc.freeze``): otherwise each full
collection walks it again, which cost a sync push about a fifth of its CPU.
"""

from __future__ import annotations

import gc

from server.app import create_app

app = create_app()
gc.freeze()
