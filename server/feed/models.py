"""The change feed's own tables: revisions, the counter that orders the feed, scope exits.

Only ``server.feed`` writes them (``tests/server/feed/test_owner.py`` fails otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.org.models import Officer


class Revision(Model):
    """One change to one synchronised record: nothing is ever overwritten away."""

    id = fields.BigIntField(primary_key=True)
    collection = fields.CharField(max_length=20)
    record_id = fields.UUIDField()
    rev = fields.IntField()
    visit_id = fields.UUIDField(db_index=True)
    op = fields.CharField(max_length=8)
    # The dotted fields written by this revision and the values they replaced.
    changes = fields.JSONField[dict[str, Any]](default=dict)
    previous = fields.JSONField[dict[str, Any]](default=dict)
    conflicts_added = fields.JSONField[list[Any]](default=list)
    conflicts_cleared = fields.JSONField[list[Any]](default=list)
    author = fields.CharField(max_length=64, default="")
    actor: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    client_id = fields.UUIDField(null=True)
    seq = fields.IntField(null=True)
    device_at = fields.CharField(max_length=40, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "revision"
        unique_together = (("collection", "record_id", "rev"),)


class ChangeCounter(Model):
    """A single row for the feed's position (``server.feed.versions``): on SQLite its value is
    the last version taken; on PostgreSQL its offset lifts versions made from transaction ids
    above every earlier one."""

    id = fields.IntField(primary_key=True)
    value = fields.BigIntField(default=0)
    version_offset = fields.BigIntField(default=0, db_default=0)
    # The feed's epoch: rotated by `doorstep restore-fence` after a restore, so every cursor
    # issued before it makes the phone start again from the beginning (never skip a change).
    epoch = fields.CharField(max_length=32, default="", db_default="")

    class Meta:
        table = "change_counter"


class ScopeExit(Model):
    """A record leaving a scope (e.g. a visit moved to another officer or team).

    Readers whose scope matched the old owner, team or area get a tombstone for it, in
    change-version order like any other change. Which columns a reader's scope is matched
    against depends on the collection: a visit's (and its children's) old officer, team and
    area; a report's old holder, officer or team (``server.auth.scope``). A column the old
    scope did not have (a report held by a team has no officer) is null.
    """

    id = fields.BigIntField(primary_key=True)
    version = fields.BigIntField(db_index=True)
    collection = fields.CharField(max_length=20)
    record_id = fields.UUIDField()
    # The record's visit; a report, which belongs to no visit, names itself.
    visit_id = fields.UUIDField()
    officer_id = fields.UUIDField(null=True)
    team_id = fields.IntField(null=True)
    area_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "scope_exit"
