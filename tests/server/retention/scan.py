"""Looking for an erased visit anywhere: every table's every column, every file, every object."""

from __future__ import annotations

from tortoise import connections

from server.photos.store import s3_client
from server.settings import Settings


async def database_text() -> str:
    """Every row of every table as text (JSON columns as their text)."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        sql = "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    chunks = []
    for table in sorted(r["name"] for r in await connection.execute_query_dict(sql)):
        rows = await connection.execute_query_dict(f'SELECT * FROM "{table}"')
        chunks.append(f"{table}: {rows!r}")
    return "\n".join(chunks)


def stored_objects(settings: Settings) -> dict[str, bytes]:
    """Every file under the photo folder, or every object version in the bucket."""
    if settings.photo_store == "s3":
        client = s3_client(settings)
        found: dict[str, bytes] = {}
        pages = client.get_paginator("list_object_versions").paginate(Bucket=settings.s3_bucket)
        for page in pages:
            for item in page.get("Versions", []):
                body = client.get_object(
                    Bucket=settings.s3_bucket, Key=item["Key"], VersionId=item["VersionId"]
                )["Body"].read()
                found[f"{item['Key']}@{item['VersionId']}"] = body
        return found
    root = settings.photo_dir
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


async def traces(settings: Settings, secrets: list[str], data: bytes) -> list[str]:
    """Where any of ``secrets`` (text) or ``data`` (a photo's bytes) can still be found."""
    found = []
    text = await database_text()
    found += [f"database holds {s!r}" for s in secrets if s.lower() in text.lower()]
    for name, body in stored_objects(settings).items():
        if data in body:
            found.append(f"{name} holds the photo's bytes")
        found += [f"{name} names {s!r}" for s in secrets if s.lower() in name.lower()]
        found += [f"{name} holds {s!r}" for s in secrets if s.encode() in body]
    return found
