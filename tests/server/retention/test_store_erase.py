"""A photo store's ``erase``: one object or a folder of them, every stored version gone."""

from __future__ import annotations

import pytest

from server.photos.store import s3_client
from server.settings import Settings
from tests.server.retention.scan import stored_objects
from tests.support.photos import store_for

SHA = "ab" * 32


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_erase_removes_an_object_or_a_folder_and_nothing_else(
    settings: Settings, store_kind: str
) -> None:
    store = store_for(settings)
    if store_kind == "s3":  # a versioned bucket keeps overwritten versions: they go too
        s3_client(settings).put_bucket_versioning(
            Bucket=settings.s3_bucket, VersioningConfiguration={"Status": "Enabled"}
        )
    await store.put_bytes(f"originals/ab/{SHA}", b"first")
    await store.put_bytes(f"originals/ab/{SHA}", b"second")
    await store.put_bytes(f"derived/ab/{SHA}/display-1600.jpg", b"display")
    await store.put_bytes(f"derived/ab/{SHA}/thumb-320.jpg", b"thumb")
    await store.put_bytes(f"originals/ab/{SHA}0", b"a neighbour by name")

    assert await store.erase(f"originals/ab/{SHA}") == 1
    assert await store.erase(f"derived/ab/{SHA}") == 2
    assert await store.erase(f"derived/ab/{SHA}") == 0  # nothing there is not an error
    left = stored_objects(settings)
    assert list(left.values()) == [b"a neighbour by name"]
