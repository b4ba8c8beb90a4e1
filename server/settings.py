"""Settings read from ``DOORSTEP_*`` environment variables, with safe defaults."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_CRIME_REFERENCE_PATTERN = r"[A-Z0-9][A-Z0-9/\-]{3,29}"


class SettingsError(ValueError):
    """A ``DOORSTEP_*`` variable holds a value that cannot be used."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _retention(env: Mapping[str, str], defaults: Settings) -> dict[str, int]:
    """``DOORSTEP_RETENTION_<STATE>_DAYS`` for each visit state (docs/retention.md)."""
    return {
        f"retention_{state}_days": _int(
            env,
            f"DOORSTEP_RETENTION_{state.upper()}_DAYS",
            getattr(defaults, f"retention_{state}_days"),
            0,
        )
        for state in ("draft", "deleted", "submitted", "approved")
    }


def backend_name(database_url: str) -> str:
    """``sqlite`` or ``postgres``, from a database URL."""
    scheme = urlsplit(database_url).scheme
    return "postgres" if scheme in {"postgres", "postgresql", "asyncpg", "psycopg"} else scheme


MIN_AUDIT_KEY_CHARS = 32


def audit_key_values(text: str, source: str) -> list[str]:
    """The audit keys a setting or key file holds, current first (``server/audit/keys.py``).

    Separated by whitespace or commas; ``#`` starts a comment line. Checked when settings are
    read, so a key that could not be used stops the server at start-up.
    """
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    values = [v for v in re.split(r"[\s,]+", "\n".join(lines)) if v]
    if not values:
        raise SettingsError(f"{source} holds no key")
    for value in values:
        if len(value) < MIN_AUDIT_KEY_CHARS:
            raise SettingsError(
                f"{source}: each audit key must be at least {MIN_AUDIT_KEY_CHARS} characters "
                "(make one with `openssl rand -hex 32`)"
            )
    if len(set(values)) != len(values):
        raise SettingsError(f"{source} lists the same key twice")
    return values


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know about its deployment."""

    # The server's database role: on PostgreSQL one that owns nothing (docs/deploy.md).
    database_url: str = "sqlite://var/doorstep.sqlite3"
    # The role that owns the tables, for ``doorstep migrate`` only ("" = database_url).
    migrate_database_url: str = ""
    photo_dir: Path = Path("var/photos")
    origin: str = "http://localhost:8000"
    rp_id: str = "localhost"
    rp_name: str = "Doorstep"
    force_name: str = "Demo Constabulary"
    crime_reference_pattern: str = DEFAULT_CRIME_REFERENCE_PATTERN
    session_absolute_seconds: int = 12 * 3600
    session_idle_seconds: int = 30 * 60
    enrolment_code_seconds: int = 24 * 3600
    officers_see_team_visits: bool = False
    attendance_target_seconds: int = 24 * 3600
    max_body_bytes: int = 2 * 1024 * 1024
    # Requests in flight per worker beyond which it answers 503 + Retry-After (backpressure).
    max_in_flight: int = 64
    # Anonymous requests (no session cookie, or a sign-in ceremony) have their own, small
    # budget per worker, and must send their whole body within this many seconds (408).
    max_in_flight_anonymous: int = 16
    anonymous_body_seconds: int = 10
    # How often each worker deletes expired sessions, challenges and rate counters.
    purge_interval_seconds: int = 600
    # Sign-in ceremonies one network address may start a minute (429 beyond): generous, since
    # a whole force may share one NAT; it slows floods and never touches signed-in requests.
    signin_per_address_per_minute: int = 600
    # The phone: lock after this long idle; purge confirmed visits after this grace time;
    # without the PRF extension, protect offline data with a device PIN or stay online only.
    device_lock_idle_seconds: int = 300
    device_purge_grace_seconds: int = 24 * 3600
    device_without_prf: str = "pin"
    log_level: str = "INFO"
    pwa_dir: Path = Path("pwa/dist")
    # Photo bytes: "fs" keeps them under photo_dir (one machine); "s3" in a bucket (several
    # workers). S3 credentials come from the standard AWS_* variables, never from here.
    photo_store: str = "fs"
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_region: str = ""
    s3_prefix: str = ""
    max_upload_bytes: int = 25 * 1024 * 1024
    upload_expiry_seconds: int = 24 * 3600
    max_image_pixels: int = 60_000_000
    # The audit chain's HMAC key(s), never stored in the database: the value itself, or a file
    # holding the current key first and retired ones after it (server/audit/keys.py).
    audit_key: str = field(default="", repr=False)
    audit_key_file: str = ""
    # Signed checkpoints of the chain head go here ("" = the photo store, under audit-anchors/),
    # every this many seconds from each server (0 = only by ``doorstep audit-anchor``).
    audit_anchor_dir: str = ""
    audit_anchor_seconds: int = 300
    # Open (unfinished, unexpired) uploads one officer may hold at once; more is 429.
    max_open_uploads: int = 50
    # Memory image decoding may hold at once in one worker process: room for one image at the
    # default pixel limit in the costliest format (WebP, 20 bytes a pixel); others wait.
    image_decode_budget_bytes: int = 1_200_000_000
    # Aftercare (docs/aftercare.md): the leave-behind's languages in the order shown ("en" or
    # "en,cy" / "cy,en" for forces under the Welsh Language Standards); how long a survey
    # link lasts; when a visit with no victim update becomes overdue.
    leave_behind_languages: tuple[str, ...] = ("en",)
    survey_link_seconds: int = 60 * 24 * 3600
    first_update_days: int = 7
    # Emailed leave-behinds: an SMTP relay (none: mail waits, queued, until one is set).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password_file: str = ""
    smtp_starttls: bool = True
    smtp_from: str = ""
    mail_poll_seconds: int = 30
    mail_max_attempts: int = 12
    # Retention (docs/retention.md): days a visit is kept in each state before
    # ``doorstep retention --apply`` erases it (0: never automatically).
    retention_draft_days: int = 180
    retention_deleted_days: int = 30
    retention_submitted_days: int = 2557
    retention_approved_days: int = 2557

    def __post_init__(self) -> None:
        self._check_audit_settings()
        languages = self.leave_behind_languages
        if (
            "en" not in languages
            or not set(languages) <= {"en", "cy"}
            or len(set(languages)) != len(languages)
        ):
            raise SettingsError(
                "DOORSTEP_LEAVE_BEHIND_LANGUAGES must be en, en,cy or cy,en, "
                f"got {','.join(languages)!r}"
            )
        if self.smtp_host and not self.smtp_from:
            raise SettingsError("DOORSTEP_SMTP_FROM is required when DOORSTEP_SMTP_HOST is set")
        if self.device_without_prf not in {"pin", "online_only"}:
            raise SettingsError("DOORSTEP_DEVICE_WITHOUT_PRF must be pin or online_only")
        if self.photo_store not in {"fs", "s3"}:
            raise SettingsError(f"DOORSTEP_PHOTO_STORE must be fs or s3, got {self.photo_store!r}")
        if self.photo_store == "s3" and not self.s3_bucket:
            raise SettingsError("DOORSTEP_S3_BUCKET is required when DOORSTEP_PHOTO_STORE=s3")
        if self.s3_prefix and not re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._\-]*/)+", self.s3_prefix):
            raise SettingsError(
                f"DOORSTEP_S3_PREFIX must be folder names of letters, digits, '.', '_' and '-', "
                f"each ending in '/', got {self.s3_prefix!r}"
            )
        try:
            re.compile(self.crime_reference_pattern)
        except re.error as exc:
            raise SettingsError(
                f"DOORSTEP_CRIME_REF_PATTERN is not a valid pattern: {exc}"
            ) from exc
        parts = urlsplit(self.origin)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.hostname
            or parts.path not in {"", "/"}
        ):
            raise SettingsError(
                f"DOORSTEP_ORIGIN must be a scheme and host such as https://doorstep.example, "
                f"got {self.origin!r}"
            )
        host = parts.hostname
        if host != self.rp_id and not host.endswith("." + self.rp_id):
            raise SettingsError(
                f"DOORSTEP_RP_ID {self.rp_id!r} must be the origin's host or a parent of it"
            )

    def _check_audit_settings(self) -> None:
        if self.audit_key and self.audit_key_file:
            raise SettingsError("set DOORSTEP_AUDIT_KEY or DOORSTEP_AUDIT_KEY_FILE, not both")
        if self.audit_key:
            audit_key_values(self.audit_key, "DOORSTEP_AUDIT_KEY")
        if self.migrate_database_url and backend_name(self.migrate_database_url) != backend_name(
            self.database_url
        ):
            raise SettingsError(
                "DOORSTEP_MIGRATE_DATABASE_URL must name the same kind of database as "
                "DOORSTEP_DATABASE_URL (both sqlite:// or both postgres://)"
            )
        if self.audit_anchor_seconds < 0:
            raise SettingsError("DOORSTEP_AUDIT_ANCHOR_SECONDS must be at least 0")

    @property
    def owner_database_url(self) -> str:
        """The URL ``doorstep migrate`` connects with: the tables' owner."""
        return self.migrate_database_url or self.database_url

    @property
    def secure_cookies(self) -> bool:
        """Whether the public origin is HTTPS, so cookies get Secure and the __Host- prefix."""
        return self.origin.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``DOORSTEP_*`` variables, falling back to the defaults."""
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            database_url=env.get("DOORSTEP_DATABASE_URL") or defaults.database_url,
            migrate_database_url=env.get("DOORSTEP_MIGRATE_DATABASE_URL") or "",
            photo_dir=Path(env.get("DOORSTEP_PHOTO_DIR") or defaults.photo_dir),
            origin=(env.get("DOORSTEP_ORIGIN") or defaults.origin).rstrip("/"),
            rp_id=env.get("DOORSTEP_RP_ID") or defaults.rp_id,
            rp_name=env.get("DOORSTEP_RP_NAME") or defaults.rp_name,
            force_name=env.get("DOORSTEP_FORCE_NAME") or defaults.force_name,
            crime_reference_pattern=env.get("DOORSTEP_CRIME_REF_PATTERN")
            or defaults.crime_reference_pattern,
            session_absolute_seconds=_int(
                env, "DOORSTEP_SESSION_ABSOLUTE_SECONDS", defaults.session_absolute_seconds, 60
            ),
            session_idle_seconds=_int(
                env, "DOORSTEP_SESSION_IDLE_SECONDS", defaults.session_idle_seconds, 60
            ),
            enrolment_code_seconds=_int(
                env, "DOORSTEP_ENROLMENT_CODE_SECONDS", defaults.enrolment_code_seconds, 60
            ),
            officers_see_team_visits=_bool(
                env, "DOORSTEP_OFFICERS_SEE_TEAM_VISITS", defaults.officers_see_team_visits
            ),
            attendance_target_seconds=_int(
                env, "DOORSTEP_ATTENDANCE_TARGET_SECONDS", defaults.attendance_target_seconds, 60
            ),
            max_body_bytes=_int(env, "DOORSTEP_MAX_BODY_BYTES", defaults.max_body_bytes, 1024),
            max_in_flight=_int(env, "DOORSTEP_MAX_IN_FLIGHT", defaults.max_in_flight, 1),
            max_in_flight_anonymous=_int(
                env, "DOORSTEP_MAX_IN_FLIGHT_ANONYMOUS", defaults.max_in_flight_anonymous, 1
            ),
            anonymous_body_seconds=_int(
                env, "DOORSTEP_ANONYMOUS_BODY_SECONDS", defaults.anonymous_body_seconds, 1
            ),
            purge_interval_seconds=_int(
                env, "DOORSTEP_PURGE_INTERVAL_SECONDS", defaults.purge_interval_seconds, 1
            ),
            signin_per_address_per_minute=_int(
                env,
                "DOORSTEP_SIGNIN_PER_ADDRESS_PER_MINUTE",
                defaults.signin_per_address_per_minute,
                1,
            ),
            device_lock_idle_seconds=_int(
                env, "DOORSTEP_DEVICE_LOCK_IDLE_SECONDS", defaults.device_lock_idle_seconds, 30
            ),
            device_purge_grace_seconds=_int(
                env, "DOORSTEP_DEVICE_PURGE_GRACE_SECONDS", defaults.device_purge_grace_seconds, 0
            ),
            device_without_prf=env.get("DOORSTEP_DEVICE_WITHOUT_PRF")
            or defaults.device_without_prf,
            log_level=(env.get("DOORSTEP_LOG_LEVEL") or defaults.log_level).upper(),
            pwa_dir=Path(env.get("DOORSTEP_PWA_DIR") or defaults.pwa_dir),
            photo_store=(env.get("DOORSTEP_PHOTO_STORE") or defaults.photo_store).lower(),
            s3_endpoint_url=env.get("DOORSTEP_S3_ENDPOINT_URL") or defaults.s3_endpoint_url,
            s3_bucket=env.get("DOORSTEP_S3_BUCKET") or defaults.s3_bucket,
            s3_region=env.get("DOORSTEP_S3_REGION") or defaults.s3_region,
            s3_prefix=env.get("DOORSTEP_S3_PREFIX") or defaults.s3_prefix,
            max_upload_bytes=_int(
                env, "DOORSTEP_MAX_UPLOAD_BYTES", defaults.max_upload_bytes, 1024
            ),
            upload_expiry_seconds=_int(
                env, "DOORSTEP_UPLOAD_EXPIRY_SECONDS", defaults.upload_expiry_seconds, 60
            ),
            max_image_pixels=_int(
                env, "DOORSTEP_MAX_IMAGE_PIXELS", defaults.max_image_pixels, 1_000_000
            ),
            audit_key=env.get("DOORSTEP_AUDIT_KEY") or "",
            audit_key_file=env.get("DOORSTEP_AUDIT_KEY_FILE") or "",
            audit_anchor_dir=env.get("DOORSTEP_AUDIT_ANCHOR_DIR") or "",
            audit_anchor_seconds=_int(
                env, "DOORSTEP_AUDIT_ANCHOR_SECONDS", defaults.audit_anchor_seconds, 0
            ),
            max_open_uploads=_int(env, "DOORSTEP_MAX_OPEN_UPLOADS", defaults.max_open_uploads, 1),
            image_decode_budget_bytes=_int(
                env,
                "DOORSTEP_IMAGE_DECODE_BUDGET_BYTES",
                defaults.image_decode_budget_bytes,
                16 * 1024 * 1024,
            ),
            leave_behind_languages=tuple(
                part.strip().lower()
                for part in (env.get("DOORSTEP_LEAVE_BEHIND_LANGUAGES") or "en").split(",")
                if part.strip()
            ),
            survey_link_seconds=_int(
                env, "DOORSTEP_SURVEY_LINK_SECONDS", defaults.survey_link_seconds, 3600
            ),
            first_update_days=_int(
                env, "DOORSTEP_FIRST_UPDATE_DAYS", defaults.first_update_days, 1
            ),
            smtp_host=env.get("DOORSTEP_SMTP_HOST") or defaults.smtp_host,
            smtp_port=_int(env, "DOORSTEP_SMTP_PORT", defaults.smtp_port, 1),
            smtp_user=env.get("DOORSTEP_SMTP_USER") or defaults.smtp_user,
            smtp_password_file=env.get("DOORSTEP_SMTP_PASSWORD_FILE")
            or defaults.smtp_password_file,
            smtp_starttls=_bool(env, "DOORSTEP_SMTP_STARTTLS", defaults.smtp_starttls),
            smtp_from=env.get("DOORSTEP_SMTP_FROM") or defaults.smtp_from,
            mail_poll_seconds=_int(
                env, "DOORSTEP_MAIL_POLL_SECONDS", defaults.mail_poll_seconds, 1
            ),
            mail_max_attempts=_int(
                env, "DOORSTEP_MAIL_MAX_ATTEMPTS", defaults.mail_max_attempts, 1
            ),
            **_retention(env, defaults),
        )
