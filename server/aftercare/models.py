"""Aftercare records: four synchronised children of a visit, and what the server keeps beside.

``Addendum``, ``VictimUpdate``, ``SurveyResponse`` and ``LeaveBehind`` are change-feed records
(``SyncedRecord`` with a ``visit`` key), so they sync, follow their visit's scope and appear in
its history like property items or kits. Each is append-only: evidence and what a victim was
told are never edited away; a correction is a new record. Columns are named after the dotted
paths of ``server.aftercare.schemas``. The server's own tables (content versions, mail jobs,
emailed survey links) never leave it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from server.aftercare.enums import (
    AddendumKind,
    ContactMethod,
    EvidenceKind,
    ForensicOutcome,
    Language,
    MailStatus,
    SurveyChannel,
)
from server.feed import SyncedRecord
from server.visits.enums import ForensicOpportunity

if TYPE_CHECKING:
    from server.org.models import Officer
    from server.visits.models import Visit


class Addendum(SyncedRecord):
    """A follow-up to a completed or approved visit (the sealed visit itself never changes)."""

    feed_collection = "addenda"

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="addenda", on_delete=fields.RESTRICT, db_index=True
    )
    # Who added it (the visit's officer by sync, or a supervisor online); server-kept.
    author: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(AddendumKind, max_length=20)
    occurred_at = fields.DatetimeField(null=True)
    text = fields.TextField(null=True)
    kit_issue_id = fields.CharField(max_length=36, null=True)
    property_item_id = fields.CharField(max_length=36, null=True)
    evidence_kind = fields.CharEnumField(EvidenceKind, max_length=12, null=True)
    exhibit_reference = fields.CharField(max_length=40, null=True)
    forensic_type = fields.CharEnumField(ForensicOpportunity, max_length=12, null=True)
    forensic_outcome = fields.CharEnumField(ForensicOutcome, max_length=12, null=True)
    corrects_id = fields.CharField(max_length=36, null=True)

    class Meta:
        table = "addendum"


class VictimUpdate(SyncedRecord):
    """One contact with the victim (Victims' Code: the right to be kept informed)."""

    feed_collection = "victim_updates"

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="victim_updates", on_delete=fields.RESTRICT, db_index=True
    )
    author: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    contacted_at = fields.DatetimeField()
    method = fields.CharEnumField(ContactMethod, max_length=8)
    about = fields.TextField()
    next_update_due = fields.DateField(null=True)

    class Meta:
        table = "victim_update"


class SurveyResponse(SyncedRecord):
    """A victim's satisfaction answers: one per visit, by the officer or the victim online."""

    feed_collection = "survey_responses"

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="survey_responses", on_delete=fields.RESTRICT
    )
    author: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    channel = fields.CharEnumField(SurveyChannel, max_length=8, default=SurveyChannel.OFFICER)
    overall = fields.SmallIntField()
    ease_of_contact = fields.SmallIntField(null=True)
    actions_taken = fields.SmallIntField(null=True)
    kept_informed = fields.SmallIntField(null=True)
    treatment = fields.SmallIntField(null=True)
    comment = fields.TextField(null=True)
    language = fields.CharEnumField(Language, max_length=2, null=True)

    class Meta:
        table = "survey_response"
        # One answer per visit, whoever gives it (a race between two links fails here).
        unique_together = (("visit",),)


class LeaveBehind(SyncedRecord):
    """What the victim was given: language, content version and the text exactly as rendered.

    The survey link's token never reaches the server; only its SHA-256 does.
    """

    feed_collection = "leave_behinds"

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="leave_behinds", on_delete=fields.RESTRICT, db_index=True
    )
    author: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    language = fields.CharEnumField(Language, max_length=2)
    content_version = fields.IntField()
    text = fields.TextField()
    printed = fields.BooleanField(null=True)
    email_requested = fields.BooleanField(null=True)
    email_to = fields.CharField(max_length=254, null=True)
    survey_token_sha256 = fields.CharField(max_length=64, null=True, unique=True)
    # Server-kept delivery facts, pulled by the phone as read-only paths (delivery.*).
    mail_status = fields.CharEnumField(MailStatus, max_length=8, default=MailStatus.NONE)
    mail_sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "leave_behind"


class LeaveBehindContent(Model):
    """One version of the leave-behind's texts, every language at once (administrators edit it).

    A leave-behind names the version it was rendered from, so what a victim was given can
    always be read again; versions are never changed, only added.
    """

    id = fields.IntField(primary_key=True)
    version = fields.IntField(unique=True)
    texts = fields.JSONField[dict[str, Any]]()
    note = fields.CharField(max_length=200, default="")
    author: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "leave_behind_content"


class MailJob(Model):
    """Sending one leave-behind by email: claimed by one sender at a time, retried, kept."""

    id = fields.BigIntField(primary_key=True)
    leave_behind: fields.ForeignKeyRelation[LeaveBehind] = fields.ForeignKeyField(
        "doorstep.LeaveBehind", related_name="mail_jobs", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(MailStatus, max_length=8, default=MailStatus.QUEUED)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    # A claim lasts until then; a sender that died mid-send is overtaken after it.
    claimed_until = fields.DatetimeField(null=True)
    # The SMTP reply code or error class of the last failure - never the address.
    last_error = fields.CharField(max_length=200, default="")
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mail_job"
        # One job per leave-behind: two senders enqueueing at once cannot both add one.
        unique_together = (("leave_behind",),)


class SurveyLink(Model):
    """A survey link the server made for an email (the phone's own links live on the
    leave-behind). Only the token's SHA-256 is kept; every link ever sent stays valid until
    it expires or the visit's survey is answered."""

    id = fields.BigIntField(primary_key=True)
    token_sha256 = fields.CharField(max_length=64, unique=True)
    leave_behind: fields.ForeignKeyRelation[LeaveBehind] = fields.ForeignKeyField(
        "doorstep.LeaveBehind", related_name="survey_links", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "survey_link"
