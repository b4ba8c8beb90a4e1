"""The aftercare settings: languages a force gives, survey links, the SMTP relay."""

from __future__ import annotations

import pytest

from server.settings import Settings, SettingsError


def test_languages_and_mail_settings_are_read_and_checked() -> None:
    settings = Settings.from_env(
        {
            "DOORSTEP_LEAVE_BEHIND_LANGUAGES": "cy, en",
            "DOORSTEP_SURVEY_LINK_SECONDS": "86400",
            "DOORSTEP_SMTP_HOST": "smtp.police.example",
            "DOORSTEP_SMTP_FROM": "doorstep@police.example",
            "DOORSTEP_SMTP_STARTTLS": "false",
        }
    )
    assert settings.leave_behind_languages == ("cy", "en")
    assert (settings.survey_link_seconds, settings.smtp_starttls) == (86400, False)
    assert Settings.from_env({}).leave_behind_languages == ("en",)
    for bad in ("cy", "en,fr", "en,en"):
        with pytest.raises(SettingsError, match="DOORSTEP_LEAVE_BEHIND_LANGUAGES"):
            Settings.from_env({"DOORSTEP_LEAVE_BEHIND_LANGUAGES": bad})
    with pytest.raises(SettingsError, match="DOORSTEP_SMTP_FROM"):
        Settings.from_env({"DOORSTEP_SMTP_HOST": "smtp.police.example"})
