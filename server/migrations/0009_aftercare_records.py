# Aftercare: addenda, victim updates, survey responses, leave-behinds (synchronised children of a
# visit), leave-behind content versions, mail jobs and emailed survey links. docs/aftercare.md.
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.aftercare.enums import AddendumKind, ContactMethod, EvidenceKind, ForensicOutcome, Language, MailStatus, SurveyChannel
from server.visits.enums import ForensicOpportunity
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0008_evidence_immutable')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Addendum',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('rev', fields.IntField(default=1)),
                ('field_revs', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('field_authors', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('conflicts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.BigIntField(default=0, db_index=True)),
                ('deleted', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('visit', fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_index=True, db_constraint=True, to_field='id', related_name='addenda', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('doorstep.Officer', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='KIT_REGISTERED: kit_registered\nEVIDENCE_COLLECTED: evidence_collected\nPROPERTY_RECOVERED: property_recovered\nFORENSIC_RESULT: forensic_result\nNOTE: note', enum_type=AddendumKind, max_length=20)),
                ('occurred_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('text', fields.TextField(null=True, unique=False)),
                ('kit_issue_id', fields.CharField(null=True, max_length=36)),
                ('property_item_id', fields.CharField(null=True, max_length=36)),
                ('evidence_kind', fields.CharEnumField(null=True, description='CCTV: cctv\nDOORBELL: doorbell\nDASHCAM: dashcam\nANPR: anpr\nPHYSICAL: physical\nSTATEMENT: statement\nOTHER: other', enum_type=EvidenceKind, max_length=12)),
                ('exhibit_reference', fields.CharField(null=True, max_length=40)),
                ('forensic_type', fields.CharEnumField(null=True, description='FINGERPRINTS: fingerprints\nFOOTWEAR: footwear\nDNA: dna\nTOOL_MARKS: tool_marks', enum_type=ForensicOpportunity, max_length=12)),
                ('forensic_outcome', fields.CharEnumField(null=True, description='IDENTIFIED: identified\nNO_MATCH: no_match\nNOT_SUITABLE: not_suitable', enum_type=ForensicOutcome, max_length=12)),
                ('corrects_id', fields.CharField(null=True, max_length=36)),
            ],
            options={'table': 'addendum', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': 'A follow-up to a completed or approved visit (the sealed visit itself never changes).'},
            bases=['SyncedRecord'],
        ),
        ops.CreateModel(
            name='LeaveBehind',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('rev', fields.IntField(default=1)),
                ('field_revs', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('field_authors', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('conflicts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.BigIntField(default=0, db_index=True)),
                ('deleted', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('visit', fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_index=True, db_constraint=True, to_field='id', related_name='leave_behinds', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('doorstep.Officer', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('language', fields.CharEnumField(description='EN: en\nCY: cy', enum_type=Language, max_length=2)),
                ('content_version', fields.IntField()),
                ('text', fields.TextField(unique=False)),
                ('printed', fields.BooleanField(null=True)),
                ('email_requested', fields.BooleanField(null=True)),
                ('email_to', fields.CharField(null=True, max_length=254)),
                ('survey_token_sha256', fields.CharField(null=True, unique=True, max_length=64)),
                ('mail_status', fields.CharEnumField(default=MailStatus.NONE, description='NONE: none\nQUEUED: queued\nSENT: sent\nFAILED: failed', enum_type=MailStatus, max_length=8)),
                ('mail_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'leave_behind', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': 'What the victim was given: language, content version and the text exactly as rendered.'},
            bases=['SyncedRecord'],
        ),
        ops.CreateModel(
            name='LeaveBehindContent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(unique=True)),
                ('texts', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.CharField(default='', max_length=200)),
                ('author', fields.ForeignKeyField('doorstep.Officer', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'leave_behind_content', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': "One version of the leave-behind's texts, every language at once (administrators edit it)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailJob',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('leave_behind', fields.ForeignKeyField('doorstep.LeaveBehind', source_field='leave_behind_id', db_constraint=True, to_field='id', related_name='mail_jobs', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=MailStatus.QUEUED, description='NONE: none\nQUEUED: queued\nSENT: sent\nFAILED: failed', enum_type=MailStatus, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=200)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mail_job', 'app': 'doorstep', 'unique_together': (('leave_behind',),), 'pk_attr': 'id', 'table_description': 'Sending one leave-behind by email: claimed by one sender at a time, retried, kept.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyLink',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_sha256', fields.CharField(unique=True, max_length=64)),
                ('leave_behind', fields.ForeignKeyField('doorstep.LeaveBehind', source_field='leave_behind_id', db_constraint=True, to_field='id', related_name='survey_links', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'survey_link', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': "A survey link the server made for an email (the phone's own links live on the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('rev', fields.IntField(default=1)),
                ('field_revs', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('field_authors', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('conflicts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.BigIntField(default=0, db_index=True)),
                ('deleted', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('visit', fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('doorstep.Officer', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('channel', fields.CharEnumField(default=SurveyChannel.OFFICER, description='OFFICER: officer\nSELF: self', enum_type=SurveyChannel, max_length=8)),
                ('overall', fields.SmallIntField()),
                ('ease_of_contact', fields.SmallIntField(null=True)),
                ('actions_taken', fields.SmallIntField(null=True)),
                ('kept_informed', fields.SmallIntField(null=True)),
                ('treatment', fields.SmallIntField(null=True)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('language', fields.CharEnumField(null=True, description='EN: en\nCY: cy', enum_type=Language, max_length=2)),
            ],
            options={'table': 'survey_response', 'app': 'doorstep', 'unique_together': (('visit',),), 'pk_attr': 'id', 'table_description': "A victim's satisfaction answers: one per visit, by the officer or the victim online."},
            bases=['SyncedRecord'],
        ),
        ops.CreateModel(
            name='VictimUpdate',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('rev', fields.IntField(default=1)),
                ('field_revs', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('field_authors', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('conflicts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.BigIntField(default=0, db_index=True)),
                ('deleted', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('visit', fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_index=True, db_constraint=True, to_field='id', related_name='victim_updates', on_delete=OnDelete.RESTRICT)),
                ('author', fields.ForeignKeyField('doorstep.Officer', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('contacted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('method', fields.CharEnumField(description='PHONE: phone\nVISIT: visit\nLETTER: letter\nEMAIL: email\nSMS: sms', enum_type=ContactMethod, max_length=8)),
                ('about', fields.TextField(unique=False)),
                ('next_update_due', fields.DateField(null=True)),
            ],
            options={'table': 'victim_update', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': "One contact with the victim (Victims' Code: the right to be kept informed)."},
            bases=['SyncedRecord'],
        ),
    ]
