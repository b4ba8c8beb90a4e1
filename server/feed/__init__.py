"""The change feed: the one owner of how a change to a synchronised record is recorded.

Every writer of visits, property items, kits, photos and reports - sync push, photo
verification, review, creating and reassigning visits, report intake, assignment, closing and
linking - records its changes here, and nowhere else:

- ``lock_records`` locks the records a transaction will change, in the feed's one global
  order (visits, then their children, then reports, each by id), so two writers can never
  deadlock;
- ``record_changes`` then takes change versions from the counter row, writes the records
  with their versions, their revision rows, any scope exits, and finally the audit entries.
  On PostgreSQL the revision rows go first, before the counter, and everything is a handful
  of set-based statements (``server.feed.set_based``), so the counter's lock covers only the
  records statement, the audit statements and COMMIT.

The lock order is therefore always: records -> change counter -> audit chain head. Versions
are taken as late as possible, so the counter row's lock (held to COMMIT) is short, and
versions become visible in the order they were given: a pull never skips one
(``sync/PROTOCOL.md``). Readers use ``feed_epoch``, ``scope_exits_after`` and ``history``.
Lawful erasure (``erase_visit_records``) is done here too: it turns a visit and its records
into tombstones and empties their revisions. Only this package touches the revision table,
the counter and scope exits (``tests/server/feed/test_owner.py`` fails otherwise).
"""

from server.feed.erase import blank_columns, erase_visit_records
from server.feed.locks import lock_records
from server.feed.reader import epoch_of, feed_epoch, history, scope_exit_rows, scope_exits_after
from server.feed.records import SyncedRecord, column_for, visit_children
from server.feed.versions import start_new_feed_epoch
from server.feed.writer import Change, RevisionNote, ScopeExitNote, record_changes

__all__ = [
    "Change",
    "RevisionNote",
    "ScopeExitNote",
    "SyncedRecord",
    "blank_columns",
    "column_for",
    "epoch_of",
    "erase_visit_records",
    "feed_epoch",
    "history",
    "lock_records",
    "record_changes",
    "scope_exit_rows",
    "scope_exits_after",
    "start_new_feed_epoch",
    "visit_children",
]
