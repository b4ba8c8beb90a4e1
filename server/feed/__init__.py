"""The change feed: the one owner of how a change to a synchronised record is recorded.

Every writer of visits, property items, kits, photos and reports - sync push, photo
verification, review, creating and reassigning visits, report intake, assignment, closing and
linking - records its changes here, and nowhere else:

- ``lock_records`` locks the records a transaction will change, in the feed's one global
  order (visits, then their children, then reports, each by id), so two writers can never
  deadlock;
- ``record_changes`` then takes change versions (``server.feed.versions``), writes the
  records with their versions, their revision rows, any scope exits, and finally the audit
  entries. On PostgreSQL everything is a handful of set-based statements
  (``server.feed.set_based``) and versions come from the transaction id, with no lock, so
  pushes do not wait for each other; readers stop below the oldest transaction still in
  progress (``feed_position``), so a pull never skips a version that commits late
  (``sync/PROTOCOL.md`` section 8). On SQLite versions come from the counter row.

The lock order is therefore always: records -> (SQLite: change counter) -> audit chain head.
Readers use ``feed_position``, ``feed_epoch``, ``scope_exits_after`` and ``history``.
Lawful erasure (``erase_visit_records``) is done here too: it turns a visit and its records
into tombstones and empties their revisions. Only this package touches the revision table,
the counter and scope exits (``tests/server/feed/test_owner.py`` fails otherwise).
"""

from server.feed.erase import blank_columns, erase_visit_records
from server.feed.locks import lock_records
from server.feed.reader import (
    feed_epoch,
    feed_position,
    history,
    position_of,
    scope_exit_rows,
    scope_exits_after,
    wait_for_position,
)
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
    "erase_visit_records",
    "feed_epoch",
    "feed_position",
    "history",
    "lock_records",
    "position_of",
    "record_changes",
    "scope_exit_rows",
    "scope_exits_after",
    "start_new_feed_epoch",
    "visit_children",
    "wait_for_position",
]
