"""Handing one email to the force's SMTP relay (``DOORSTEP_SMTP_*``), in a worker thread.

``smtplib`` is blocking, so the sender runs it with ``asyncio.to_thread``. STARTTLS is on by
default; the password is read from a file (never an environment variable or a log line).
Any refusal (4xx or 5xx) or network failure raises, and the job is retried later.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from server.settings import Settings


class Transport(Protocol):
    """Sends one message or raises ``smtplib.SMTPException`` / ``OSError``."""

    def __call__(self, settings: Settings, message: EmailMessage) -> None: ...


def smtp_send(settings: Settings, message: EmailMessage) -> None:
    """Send ``message`` through the configured relay."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = Path(settings.smtp_password_file).read_text(encoding="utf-8").strip()
            smtp.login(settings.smtp_user, password)
        smtp.send_message(message)


def failure_code(exc: BaseException) -> str:
    """What went wrong, for the job row and the log: a reply code or an error class only
    (SMTP replies can echo the address, so their text is never kept)."""
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [reply[0] for reply in exc.recipients.values()]
        code = codes[0] if codes else None
    return f"smtp {code}" if code is not None else type(exc).__name__
