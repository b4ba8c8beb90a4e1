from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.photos.models import DerivativeStatus, UploadState
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0004_sync_authors_scope_exits')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Upload',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('photo', fields.ForeignKeyField('doorstep.Photo', source_field='photo_id', db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.RESTRICT)),
                ('officer_id', fields.UUIDField()),
                ('upload_length', fields.BigIntField()),
                ('upload_offset', fields.BigIntField(default=0)),
                ('sha256', fields.CharField(max_length=64)),
                ('content_type', fields.CharField(max_length=40)),
                ('state', fields.CharEnumField(default=UploadState.OPEN, description='OPEN: open\nCOMPLETE: complete\nFAILED: failed\nEXPIRED: expired', enum_type=UploadState, max_length=8)),
                ('message', fields.CharField(null=True, max_length=200)),
                ('parts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('lock_token', fields.CharField(null=True, max_length=32)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('purged', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'photo_upload', 'app': 'doorstep', 'indexes': [Index(fields=['state', 'expires_at']), Index(fields=['purged', 'expires_at'])], 'pk_attr': 'id', 'table_description': 'The state of one resumable upload, kept in the database so any worker can resume it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Photo',
            name='derivative_message',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Photo',
            name='derivative_status',
            field=fields.CharEnumField(default=DerivativeStatus.NONE, description='NONE: none\nPENDING: pending\nREADY: ready\nFAILED: failed', enum_type=DerivativeStatus, max_length=8),
        ),
        ops.AddField(
            model_name='Photo',
            name='display_key',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Photo',
            name='original_bytes',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Photo',
            name='original_content_type',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name='Photo',
            name='original_key',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Photo',
            name='original_sha256',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Photo',
            name='thumb_key',
            field=fields.CharField(null=True, max_length=200),
        ),
    ]
