"""The type of the ``system_ctx`` fixture: a request context for work no request asked for."""

from __future__ import annotations

from collections.abc import Callable

from server.context import RequestContext

SystemContext = Callable[[], RequestContext]
