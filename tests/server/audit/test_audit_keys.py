"""Where the audit key comes from: a setting or a file, never the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.audit.keys import AuditKey, load_audit_keys
from server.settings import Settings, SettingsError

KEY = "0123456789abcdef" * 4


def test_key_from_setting_and_its_id_reveals_nothing() -> None:
    keys = load_audit_keys(Settings(database_url="postgres://app@db/doorstep", audit_key=KEY))
    assert keys.current == AuditKey(KEY)
    assert len(keys.current.key_id) == 16
    assert keys.current.key_id not in KEY
    assert KEY not in repr(keys)
    assert KEY not in repr(Settings(audit_key=KEY))


def test_key_file_holds_the_current_key_then_retired_ones(tmp_path: Path) -> None:
    old = "f" * 64
    path = tmp_path / "audit.keys"
    path.write_text(f"# current first\n{KEY}\n\n{old}\n")
    keys = load_audit_keys(
        Settings(database_url="postgres://app@db/doorstep", audit_key_file=str(path))
    )
    assert keys.current == AuditKey(KEY)
    assert keys.retired == (AuditKey(old),)


def test_postgres_without_a_key_is_refused_with_a_clear_message() -> None:
    with pytest.raises(SettingsError, match="DOORSTEP_AUDIT_KEY or DOORSTEP_AUDIT_KEY_FILE"):
        load_audit_keys(Settings(database_url="postgres://app@db/doorstep"))


def test_sqlite_default_key_file_is_generated_once_private(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite://{tmp_path / 'db' / 'doorstep.sqlite3'}")
    first = load_audit_keys(settings)
    path = tmp_path / "db" / "audit.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_audit_keys(settings) == first


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DOORSTEP_AUDIT_KEY": "short"}, "at least 32 characters"),
        (
            {"DOORSTEP_AUDIT_KEY": KEY, "DOORSTEP_AUDIT_KEY_FILE": "/etc/doorstep/audit.key"},
            "not both",
        ),
        ({"DOORSTEP_MIGRATE_DATABASE_URL": "postgres://owner@db/doorstep"}, "same kind"),
        ({"DOORSTEP_AUDIT_ANCHOR_SECONDS": "-1"}, "DOORSTEP_AUDIT_ANCHOR_SECONDS"),
    ],
)
def test_bad_audit_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_key_file_that_is_missing_or_short_is_refused(tmp_path: Path) -> None:
    url = "postgres://app@db/doorstep"
    with pytest.raises(SettingsError, match="cannot read"):
        load_audit_keys(Settings(database_url=url, audit_key_file=str(tmp_path / "none")))
    (tmp_path / "short").write_text("abc\n")
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_audit_keys(Settings(database_url=url, audit_key_file=str(tmp_path / "short")))


def test_migrate_url_defaults_to_the_database_url() -> None:
    settings = Settings.from_env({"DOORSTEP_DATABASE_URL": "postgres://app@db/doorstep"})
    assert settings.owner_database_url == "postgres://app@db/doorstep"
    split = Settings.from_env(
        {
            "DOORSTEP_DATABASE_URL": "postgres://app@db/doorstep",
            "DOORSTEP_MIGRATE_DATABASE_URL": "postgres://owner@db/doorstep",
        }
    )
    assert split.owner_database_url == "postgres://owner@db/doorstep"
    assert split.audit_anchor_seconds == 300


def test_mac_is_hmac_sha256_under_the_purposes_sub_key_every_time() -> None:
    # The prepared HMAC is copied per use: the same input gives the same MAC every time, and
    # it is exactly HMAC-SHA256 under the purpose's sub-key, as rows written before it were.
    import hashlib
    import hmac

    from server.audit.keys import ANCHOR, CHAIN

    key = AuditKey(KEY)
    for purpose in (CHAIN, ANCHOR):
        subkey = hmac.new(KEY.encode(), b"doorstep audit " + purpose, "sha256").digest()
        for data in (b"row one", b"row two", b"row one"):
            assert key.mac(purpose, data) == hmac.new(subkey, data, hashlib.sha256).hexdigest()


def test_canonical_row_text_is_the_sorted_compact_json_rows_were_hashed_from() -> None:
    import json
    import uuid
    from datetime import UTC, datetime

    from server.audit.chain import AuditEntry, _canonical
    from server.audit.models import AuditAction

    reason = "pull \u2018é\u2019 \u2028"
    entry = AuditEntry(AuditAction.DISCLOSE, uuid.uuid4(), None, "visits", "v1", reason, "", "r")
    at = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    text = _canonical(7, at, entry, {"key_id": "k"})
    expected = json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert text == expected
    assert json.loads(text)["reason"] == reason
