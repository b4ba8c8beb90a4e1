"""Settings come from DOORSTEP_* variables with safe defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import Settings, SettingsError


def test_from_env_defaults_are_safe_and_local() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite://var/doorstep.sqlite3"
    assert settings.photo_dir == Path("var/photos")
    assert settings.origin == "http://localhost:8000"
    assert settings.rp_id == "localhost"
    assert settings.session_absolute_seconds == 12 * 3600
    assert settings.officers_see_team_visits is False
    assert settings.secure_cookies is False


def test_from_env_reads_every_documented_variable() -> None:
    settings = Settings.from_env(
        {
            "DOORSTEP_DATABASE_URL": "postgres://u@db:5432/doorstep",
            "DOORSTEP_PHOTO_DIR": "/srv/photos",
            "DOORSTEP_ORIGIN": "https://doorstep.example.police.uk/",
            "DOORSTEP_RP_ID": "example.police.uk",
            "DOORSTEP_SESSION_ABSOLUTE_SECONDS": "3600",
            "DOORSTEP_SESSION_IDLE_SECONDS": "600",
            "DOORSTEP_OFFICERS_SEE_TEAM_VISITS": "true",
            "DOORSTEP_CRIME_REF_PATTERN": r"WM-\d{6}",
        }
    )
    assert settings.database_url.startswith("postgres://")
    assert settings.photo_dir == Path("/srv/photos")
    assert settings.origin == "https://doorstep.example.police.uk"
    assert settings.secure_cookies is True
    assert settings.session_absolute_seconds == 3600
    assert settings.session_idle_seconds == 600
    assert settings.officers_see_team_visits is True
    assert settings.crime_reference_pattern == r"WM-\d{6}"


def test_from_env_reads_the_limit_and_purge_variables() -> None:
    settings = Settings.from_env(
        {
            "DOORSTEP_MAX_IN_FLIGHT_ANONYMOUS": "4",
            "DOORSTEP_ANONYMOUS_BODY_SECONDS": "5",
            "DOORSTEP_PURGE_INTERVAL_SECONDS": "60",
            "DOORSTEP_SIGNIN_PER_ADDRESS_PER_MINUTE": "1200",
        }
    )
    assert settings.max_in_flight_anonymous == 4
    assert settings.anonymous_body_seconds == 5
    assert settings.purge_interval_seconds == 60
    assert settings.signin_per_address_per_minute == 1200
    with pytest.raises(SettingsError, match="at least 1"):
        Settings.from_env({"DOORSTEP_ANONYMOUS_BODY_SECONDS": "0"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DOORSTEP_SESSION_IDLE_SECONDS": "soon"}, "whole number"),
        ({"DOORSTEP_SESSION_IDLE_SECONDS": "5"}, "at least 60"),
        ({"DOORSTEP_OFFICERS_SEE_TEAM_VISITS": "maybe"}, "true or false"),
        ({"DOORSTEP_ORIGIN": "localhost:8000"}, "scheme and host"),
        ({"DOORSTEP_RP_ID": "example.org"}, "parent"),
        ({"DOORSTEP_CRIME_REF_PATTERN": "(["}, "valid pattern"),
    ],
)
def test_from_env_bad_value_raises_clear_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
