from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.reports.enums import CloseReason, ReportState
from server.visits.enums import OffenceType
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0012_scope_exit_any_holder')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Integration',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=60)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'integration', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': "A service credential for the force's crime system: it may send reports and nothing else."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
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
                ('reference_crime_reference', fields.CharField(unique=True, max_length=40)),
                ('reference_incident_number', fields.CharField(null=True, max_length=40)),
                ('reference_reported_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('offence_type', fields.CharEnumField(description='DWELLING: dwelling\nATTEMPTED: attempted\nGARAGE_OR_OUTBUILDING: garage_or_outbuilding\nDISTRACTION: distraction\nCAR_KEY: car_key', enum_type=OffenceType, max_length=24)),
                ('address_line1', fields.CharField(max_length=120)),
                ('address_line2', fields.CharField(null=True, max_length=120)),
                ('address_town', fields.CharField(null=True, max_length=80)),
                ('address_postcode', fields.CharField(db_index=True, max_length=10)),
                ('victim_name', fields.CharField(max_length=120)),
                ('victim_phone', fields.CharField(null=True, max_length=32)),
                ('victim_email', fields.CharField(null=True, max_length=254)),
                ('victim_vulnerabilities', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('victim_repeat_victim', fields.BooleanField(default=False)),
                ('source_updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('area', fields.ForeignKeyField('doorstep.Area', source_field='area_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('team', fields.ForeignKeyField('doorstep.Team', source_field='team_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('officer', fields.ForeignKeyField('doorstep.Officer', source_field='officer_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('assigned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('holder_officer_id', fields.UUIDField(null=True, db_index=True)),
                ('holder_team_id', fields.IntField(null=True, db_index=True)),
                ('state', fields.CharEnumField(default=ReportState.AWAITING, description='AWAITING: awaiting\nIN_PROGRESS: in_progress\nVISITED: visited\nCLOSED: closed', enum_type=ReportState, max_length=12)),
                ('linked_visit', fields.OneToOneField('doorstep.Visit', source_field='linked_visit_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('close_reason', fields.CharEnumField(null=True, description='VICTIM_DECLINED: victim_declined\nDUPLICATE: duplicate\nNOT_A_BURGLARY: not_a_burglary', enum_type=CloseReason, max_length=16)),
                ('close_note', fields.TextField(null=True, unique=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_by_id', fields.UUIDField(null=True)),
                ('repeat_computed', fields.BooleanField(default=False)),
            ],
            options={'table': 'report', 'app': 'doorstep', 'indexes': [Index(fields=['team_id', 'state', 'reference_reported_at']), Index(fields=['area_id', 'state', 'reference_reported_at'])], 'pk_attr': 'id', 'table_description': 'One burglary reported to the force, from intake until it is visited or closed.'},
            bases=['SyncedRecord'],
        ),
    ]
