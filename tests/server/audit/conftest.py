"""Audit test fixtures: a known audit key for the test, and a place for anchors."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.audit.anchors import FileAnchorStore
from server.audit.keys import AuditKey, AuditKeys, use_audit_keys


def new_key() -> AuditKey:
    """A fresh random audit key."""
    return AuditKey(secrets.token_hex(32))


@pytest.fixture
def audit_keys() -> Iterator[AuditKeys]:
    """This test's audit key, used by every ``write_audit`` until the test ends."""
    keys = AuditKeys(new_key())
    previous = use_audit_keys(keys)
    try:
        yield keys
    finally:
        use_audit_keys(previous)


@pytest.fixture
def anchors(tmp_path: Path) -> FileAnchorStore:
    """An empty anchor store on disk, outside the database."""
    return FileAnchorStore(tmp_path / "anchor-store")
