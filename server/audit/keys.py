"""The audit chain's secret key: from a setting or a file, never from the database.

A plain hash chain only shows accidents: anyone who can write the database can recompute every
hash after an edit. Each row's hash is therefore an HMAC-SHA256 under a key the database never
sees, so rewriting history needs both the database and the key.

- A key is a string of at least 32 characters (``openssl rand -hex 32``), used as its bytes.
- Several keys may be given, current first: the others are retired keys, kept only to verify
  rows written before a rotation. Each row records the id of its key (``key_id``, a one-way
  fingerprint), so verification knows which one to use and can refuse a return to an old key.
- Each use gets its own sub-key (chain rows, anchors, the key id), so a value made for one
  purpose is never valid for another.
- SQLite (one machine, ``make run``): without a configured key, one is generated once into
  ``audit.key`` beside the database file (``var/audit.key`` by default), readable only by its
  owner. PostgreSQL: several servers must share one key, and a key generated per machine would
  split the chain, so a missing key is a configuration error.

``write_audit`` takes no settings (it has many callers), so the server and the ``doorstep``
command register the keys from their settings when they start (``use_audit_keys``); anything
else (tests, scripts) gets the keys of the process environment on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from server.settings import Settings, SettingsError, audit_key_values, backend_name

log = logging.getLogger("doorstep.audit.keys")

CHAIN = b"chain v1"
ANCHOR = b"anchor v1"
_KEY_ID = b"key id v1"


@dataclass(frozen=True)
class AuditKey:
    """One HMAC key; its repr never shows the secret."""

    secret: str = field(repr=False)
    key_id: str = field(init=False, compare=False)
    # Each purpose's HMAC with its sub-key already set up, copied for every row: a pull
    # chains a thousand rows, and deriving the sub-key and keying a new HMAC for each was
    # a sixth of its audit time.
    _keyed: dict[bytes, hmac.HMAC] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_id", self.mac(_KEY_ID, b"")[:16])

    def mac(self, purpose: bytes, data: bytes) -> str:
        """HMAC-SHA256 of ``data`` under this key's sub-key for ``purpose``, in hex."""
        keyed = self._keyed.get(purpose)
        if keyed is None:
            subkey = hmac.new(self.secret.encode(), b"doorstep audit " + purpose, "sha256")
            keyed = self._keyed[purpose] = hmac.new(subkey.digest(), None, hashlib.sha256)
        mac = keyed.copy()
        mac.update(data)
        return mac.hexdigest()


@dataclass(frozen=True)
class AuditKeys:
    """The current key (signs new rows and anchors) and retired ones (verify old rows)."""

    current: AuditKey
    retired: tuple[AuditKey, ...] = ()

    def rank(self, key_id: str) -> int | None:
        """0 for the current key, 1... for retired ones newest first; None if unknown."""
        for rank, key in enumerate((self.current, *self.retired)):
            if hmac.compare_digest(key.key_id, key_id):
                return rank
        return None

    def at_rank(self, rank: int) -> AuditKey:
        """The key of a rank ``rank()`` returned."""
        return (self.current, *self.retired)[rank]


def parse_keys(text: str, source: str) -> AuditKeys:
    """Keys separated by whitespace or commas, current first; ``#`` starts a comment line."""
    keys = [AuditKey(v) for v in audit_key_values(text, source)]
    return AuditKeys(keys[0], tuple(keys[1:]))


def default_key_path(database_url: str) -> Path | None:
    """``audit.key`` beside an SQLite file; None for an in-memory database."""
    path = database_url.removeprefix("sqlite://").split("?")[0]
    if not path or path == ":memory:":
        return None
    return Path(path).parent / "audit.key"


def _generated_key(path: Path) -> str:
    """Read the key file, making it first if there is none (atomically, mode 0600)."""
    try:
        return path.read_text()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit-key-")  # created 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        else:
            log.warning("generated a new audit key file", extra={"path": str(path)})
    finally:
        os.unlink(tmp)
    return path.read_text()


def load_audit_keys(settings: Settings) -> AuditKeys:
    """The keys the settings name, or for SQLite the generated key file beside the database."""
    if settings.audit_key:
        return parse_keys(settings.audit_key, "DOORSTEP_AUDIT_KEY")
    if settings.audit_key_file:
        path = Path(settings.audit_key_file)
        try:
            text = path.read_text()
            mode = path.stat().st_mode
        except OSError as exc:
            raise SettingsError(
                f"cannot read DOORSTEP_AUDIT_KEY_FILE {str(path)!r}: {exc.strerror}"
            ) from exc
        if mode & 0o077:
            log.warning("the audit key file is readable by others", extra={"path": str(path)})
        return parse_keys(text, "DOORSTEP_AUDIT_KEY_FILE")
    if backend_name(settings.database_url) == "sqlite":
        default = default_key_path(settings.database_url)
        if default is None:  # an in-memory database lives no longer than this process
            return AuditKeys(AuditKey(secrets.token_hex(32)))
        return parse_keys(_generated_key(default), str(default))
    raise SettingsError(
        "DOORSTEP_AUDIT_KEY or DOORSTEP_AUDIT_KEY_FILE is required with PostgreSQL: every "
        "server must hold the same secret key for the audit chain (docs/deploy.md)"
    )


_registered: AuditKeys | None = None


def use_audit_keys(keys: AuditKeys | None) -> AuditKeys | None:
    """Make ``keys`` the ones ``write_audit`` uses in this process; return the previous ones."""
    global _registered
    previous, _registered = _registered, keys
    return previous


def audit_keys() -> AuditKeys:
    """The registered keys, or those of the process environment (loaded once)."""
    global _registered
    if _registered is None:
        _registered = load_audit_keys(Settings.from_env())
    return _registered
