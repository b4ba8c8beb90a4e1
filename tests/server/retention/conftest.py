"""Retention runs on either photo store: the photo tests' fixtures (moto's S3 server)."""

from __future__ import annotations

from tests.server.photos.conftest import moto_endpoint as moto_endpoint
from tests.server.photos.conftest import settings as settings
from tests.server.photos.conftest import store_kind as store_kind
