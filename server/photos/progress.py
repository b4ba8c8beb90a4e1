"""Upload bookkeeping whose loss in a crash costs a resend, never evidence.

An upload's lock, the offset and parts list of an upload not yet complete, and the mark that
an ended upload's chunks are gone are written on every chunk, so on PostgreSQL they commit
without waiting for the WAL flush (``synchronous_commit`` off for that transaction alone).
What a crash can lose, and why nothing is lost with it:

- a lock: the PATCH holding it died with the server; the next one finds the upload free, or
  busy until the lock expires, as after any dead worker;
- an offset: HEAD reports the earlier one and the phone, which keeps the photo until it is
  verified, resends from there (its part files are not fsynced either, and the whole-file
  SHA-256 at completion guards the result);
- a purge mark: ``cleanup`` removes the (already empty) chunk folder again.

A photo becomes verified only in the verifying transaction, whose commit stays durable.
SQLite commits as usual.
"""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.photos.models import Upload


async def update_uploads(where: Q, **values: object) -> int:
    """UPDATE the uploads matching ``where`` (bookkeeping only: see the module docstring)."""
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await connection.execute_query("SET LOCAL synchronous_commit TO OFF")
        return await Upload.filter(where).using_db(connection).update(**values)
