"""One contract, two backends: every test here runs on the filesystem and on S3 (moto server)."""

from __future__ import annotations

import hashlib
import os
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.photos.store import (
    FilesystemPhotoStore,
    PhotoStore,
    S3PhotoStore,
    StoredPart,
    assemble,
    checked_key,
    derivative_key,
    original_key,
    part_name,
    s3_client,
)
from server.settings import Settings
from tests.support.photos import s3_settings


@pytest.fixture(params=["fs", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PhotoStore:
    """A store of each kind (S3 with small pieces, so a chunk spans several objects)."""
    if request.param == "fs":
        return FilesystemPhotoStore(tmp_path / "photos")
    settings = s3_settings(Settings(), request.getfixturevalue("moto_endpoint"))
    return S3PhotoStore(
        s3_client(settings), settings.s3_bucket, settings.s3_prefix, piece_bytes=64 * 1024
    )


async def stream(data: bytes, block: int = 10_000) -> AsyncIterator[bytes]:
    """A request body arriving in blocks."""
    for start in range(0, len(data), block):
        yield data[start : start + block]


async def put_all(store: PhotoStore, upload_id: str, data: bytes, chunk: int) -> list[StoredPart]:
    """Store ``data`` as successive PATCH chunks; returns every part in order."""
    parts: list[StoredPart] = []
    for offset in range(0, len(data), chunk):
        token = uuid.uuid4().hex
        parts += await store.write_chunk(
            upload_id, offset, token, stream(data[offset : offset + chunk])
        )
    return parts


async def read_all(store: PhotoStore, key: str) -> bytes:
    """Every byte of an object, through the streaming reader."""
    return b"".join([block async for block in store.read(key)])


def listing(store: PhotoStore, prefixes: Iterable[str] = ("uploads/", "originals/")) -> list[str]:
    """Everything stored under some prefixes."""
    return [k for p in prefixes for k in store.keys(p)]


async def test_chunks_assemble_into_a_byte_exact_content_addressed_original(
    store: PhotoStore,
) -> None:
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, 100_000)
    assert sum(p.size for p in parts) == len(data)
    if store.kind == "s3":
        assert len(parts) > 3  # 100 kB chunks cut into 64 kB pieces
    assembled = await assemble(store, upload_id, parts, sha)
    assert (assembled.sha256, assembled.size, assembled.key) == (sha, len(data), original_key(sha))
    assert await store.exists(original_key(sha))
    assert await read_all(store, original_key(sha)) == data
    with store.open_sync(original_key(sha)) as fp:
        assert fp.read() == data
    assert await store.delete_upload(upload_id) == len(parts)
    assert store.keys("uploads/") == []


async def test_a_hash_mismatch_stores_nothing(store: PhotoStore) -> None:
    data = os.urandom(200_000)
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, 70_000)
    declared = hashlib.sha256(b"something else").hexdigest()
    assembled = await assemble(store, upload_id, parts, declared)
    assert assembled.key is None
    assert assembled.sha256 == hashlib.sha256(data).hexdigest()
    assert store.keys("originals/") == []
    assert not await store.exists(original_key(declared))
    # Nothing half-made is left behind either (temporary file or open multipart upload).
    assert await store.sweep(datetime.now(UTC) + timedelta(days=1)) == 0


async def test_the_same_bytes_twice_are_one_blob(store: PhotoStore) -> None:
    data = os.urandom(50_000)
    sha = hashlib.sha256(data).hexdigest()
    for _ in range(2):
        upload_id = str(uuid.uuid4())
        parts = await put_all(store, upload_id, data, 20_000)
        assert (await assemble(store, upload_id, parts, sha)).key == original_key(sha)
        await store.delete_upload(upload_id)
    assert store.keys("originals/") == [original_key(sha)]


async def test_promote_never_replaces_an_original_already_there(store: PhotoStore) -> None:
    """An object that appears at the key between staging and promotion (a racing upload of
    the same content, or anything else) is kept exactly as it is: originals are evidence."""
    data = os.urandom(120_000)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, 50_000)
    staged = await store.stage(upload_id, parts, sha)
    assert staged.key == original_key(sha)
    assert staged.staged is not None
    assert not await store.exists(original_key(sha))  # nothing in place before promotion
    await store.put_bytes(original_key(sha), b"already there")
    await store.promote(staged)
    assert await read_all(store, original_key(sha)) == b"already there"
    assert await store.sweep(datetime.now(UTC) + timedelta(days=1)) == 0  # nothing left staged


async def test_a_discarded_stage_leaves_no_original(store: PhotoStore) -> None:
    data = os.urandom(120_000)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, 50_000)
    staged = await store.stage(upload_id, parts, sha)
    await store.discard(staged)
    assert listing(store, ("originals/",)) == []
    assert await store.sweep(datetime.now(UTC) + timedelta(days=1)) == 0


async def test_a_failed_chunk_leaves_no_parts(store: PhotoStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield os.urandom(100_000)
        raise ConnectionError("network gone")

    with pytest.raises(ConnectionError):
        await store.write_chunk(str(uuid.uuid4()), 0, uuid.uuid4().hex, broken())
    assert store.keys("uploads/") == []


async def test_a_missing_part_is_reported(store: PhotoStore) -> None:
    from server.photos.store import PartMissing

    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, os.urandom(1000), 1000)
    await store.discard_parts(upload_id, parts)
    with pytest.raises(PartMissing):
        await assemble(store, upload_id, parts, "0" * 64)
    assert store.keys("originals/") == []


async def test_small_objects_round_trip(store: PhotoStore) -> None:
    key = derivative_key("ab" * 32, "thumb", 320)
    assert not await store.exists(key)
    await store.put_bytes(key, b"jpeg bytes")
    assert await store.exists(key)
    assert await store.get_bytes(key) == b"jpeg bytes"
    assert await read_all(store, key) == b"jpeg bytes"


async def test_sweep_removes_interrupted_assemblies(store: PhotoStore) -> None:
    if isinstance(store, S3PhotoStore):
        store.client.create_multipart_upload(
            Bucket=store.bucket, Key=store.prefix + original_key("cd" * 32)
        )
    else:
        tmp = store.root / "tmp" / "dead-assembly"
        tmp.parent.mkdir(parents=True)
        tmp.write_bytes(b"half")
        old = time.time() - 3600
        os.utime(tmp, (old, old))
    if isinstance(store, FilesystemPhotoStore):
        # (moto reports a fixed 2010 "Initiated" date, so only the filesystem can show this.)
        assert await store.sweep(datetime.now(UTC) - timedelta(days=1)) == 0
    assert await store.sweep(datetime.now(UTC) + timedelta(minutes=1)) == 1
    assert await store.sweep(datetime.now(UTC) + timedelta(minutes=1)) == 0


async def test_large_upload_is_assembled_with_bounded_memory(tmp_path: Path) -> None:
    """A 12 MiB file is joined in 1 MiB blocks: the process never holds it whole."""
    store = FilesystemPhotoStore(tmp_path / "photos")
    data = os.urandom(12 * 1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, 4 * 1024 * 1024)
    del data
    tracemalloc.start()
    try:
        assembled = await assemble(store, upload_id, parts, sha)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert assembled.key == original_key(sha)
    assert peak < 3 * 1024 * 1024


async def test_s3_assembles_several_multipart_parts(moto_endpoint: str) -> None:
    settings = s3_settings(Settings(), moto_endpoint)
    store = S3PhotoStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
    data = os.urandom(S3_SIZE)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, 5 * 1024 * 1024)
    assert max(p.size for p in parts) <= 4 * 1024 * 1024  # pieces bound memory per PATCH
    assert (await assemble(store, upload_id, parts, sha)).key == original_key(sha)
    assert await read_all(store, original_key(sha)) == data
    head = store.client.head_object(Bucket=store.bucket, Key=store.prefix + original_key(sha))
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith("-2")  # two multipart parts of 8 MiB + rest


S3_SIZE = 10 * 1024 * 1024


def test_keys_are_only_ever_made_from_hashes_ids_and_offsets() -> None:
    for bad in ("../etc/passwd", "originals/../../x", "/abs", "originals/A B", "uploads/x/.."):
        with pytest.raises(ValueError, match="refused"):
            checked_key(bad)
    with pytest.raises(ValueError, match="SHA-256"):
        original_key("../../etc/passwd")
    with pytest.raises(ValueError, match="token"):
        part_name(0, "../x")
    assert original_key("ab" * 32) == f"originals/ab/{'ab' * 32}"


async def test_write_chunk_feeds_its_digests_exactly_the_bytes_stored(store: PhotoStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 12_345)  # several 1 MiB batches and S3 pieces
    digests = [hashlib.sha256(), hashlib.sha256()]
    upload_id = str(uuid.uuid4())
    parts = await store.write_chunk(
        upload_id, 0, uuid.uuid4().hex, stream(data, 64 * 1024), digests
    )
    assert sum(p.size for p in parts) == len(data)
    assert [d.hexdigest() for d in digests] == [hashlib.sha256(data).hexdigest()] * 2
    assembled = await assemble(store, upload_id, parts, hashlib.sha256(data).hexdigest())
    assert await read_all(store, original_key(assembled.sha256)) == data


async def test_stage_with_a_known_hash_of_one_part_stores_it_byte_exact(
    store: PhotoStore,
) -> None:
    data = os.urandom(200_000)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, len(data))
    staged = await store.stage(upload_id, parts, sha, known_sha256=sha)
    assert (staged.sha256, staged.size, staged.key) == (sha, len(data), original_key(sha))
    assert not await store.exists(original_key(sha))  # nothing in place before promotion
    await store.promote(staged)
    assert await read_all(store, original_key(sha)) == data
    await store.delete_upload(upload_id)
    assert store.keys("uploads/") == []
    assert await store.sweep(datetime.now(UTC) + timedelta(days=1)) == 0


async def test_stage_with_a_known_hash_that_does_not_match_stores_nothing(
    store: PhotoStore,
) -> None:
    data = os.urandom(100_000)
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, len(data))
    declared = hashlib.sha256(b"something else").hexdigest()
    known = hashlib.sha256(data).hexdigest()
    assembled = await assemble(store, upload_id, parts, declared, known)
    assert (assembled.sha256, assembled.key) == (known, None)
    assert store.keys("originals/") == []
    assert await store.sweep(datetime.now(UTC) + timedelta(days=1)) == 0


async def test_fs_stage_takes_over_a_single_part_of_known_hash_without_copying(
    tmp_path: Path,
) -> None:
    """The part of a whole-file PATCH becomes the staged file itself (renamed): no copy."""
    store = FilesystemPhotoStore(tmp_path / "photos")
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, len(data))
    part = tmp_path / "photos" / "uploads" / upload_id / parts[0].name
    inode = part.stat().st_ino
    staged = await store.stage(upload_id, parts, sha, known_sha256=sha)
    assert isinstance(staged.staged, Path)
    assert staged.staged.stat().st_ino == inode
    assert not part.exists()
    await store.promote(staged)
    original = tmp_path / "photos" / original_key(sha)
    assert original.read_bytes() == data
    assert original.stat().st_mode & 0o777 == 0o440  # evidence: never rewritten in place


async def test_fs_stage_hashes_parts_that_waited_on_disk_whatever_hash_is_known(
    tmp_path: Path,
) -> None:
    """A hash taken as chunks arrived does not vouch for parts kept between requests: a
    part changed on disk since is caught when the parts are joined."""
    store = FilesystemPhotoStore(tmp_path / "photos")
    data = os.urandom(150_000)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, 50_000)
    part = tmp_path / "photos" / "uploads" / upload_id / parts[1].name
    changed = bytearray(part.read_bytes())
    changed[10] ^= 0xFF
    part.write_bytes(bytes(changed))
    assembled = await assemble(store, upload_id, parts, sha, sha)
    assert assembled.key is None
    assert assembled.sha256 != sha
    assert store.keys("originals/") == []


async def test_fs_stage_refuses_a_single_part_not_the_size_it_was_stored_at(
    tmp_path: Path,
) -> None:
    from server.photos.store import PartMissing

    store = FilesystemPhotoStore(tmp_path / "photos")
    data = os.urandom(10_000)
    sha = hashlib.sha256(data).hexdigest()
    upload_id = str(uuid.uuid4())
    parts = await put_all(store, upload_id, data, len(data))
    part = tmp_path / "photos" / "uploads" / upload_id / parts[0].name
    part.write_bytes(data[:-1])
    with pytest.raises(PartMissing):
        await store.stage(upload_id, parts, sha, known_sha256=sha)
    assert store.keys("originals/") == []
    assert list((tmp_path / "photos" / "tmp").iterdir()) == []
