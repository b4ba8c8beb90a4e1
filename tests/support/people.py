"""A test account as the API tests hold it."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from harness.authenticator import SoftAuthenticator
from server.org.models import Officer


@dataclass
class Person:
    """A test account with its own browser (HTTP client with a cookie jar) and passkey."""

    officer: Officer
    client: httpx.AsyncClient
    authenticator: SoftAuthenticator
    device_id: str = ""
