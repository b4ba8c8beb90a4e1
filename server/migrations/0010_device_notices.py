# Issue 14 item 6: what one device of an account is told about another (server/auth/notices.py),
# and who issued the enrolment code each device was enrolled with.
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0009_aftercare_records')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeviceNotice',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('officer', fields.ForeignKeyField('doorstep.Officer', source_field='officer_id', db_constraint=True, to_field='id', related_name='device_notices', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(max_length=24)),
                ('device', fields.ForeignKeyField('doorstep.Device', source_field='device_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.RESTRICT)),
                ('shown_on', fields.ForeignKeyField('doorstep.Device', source_field='shown_on_id', db_index=True, db_constraint=True, to_field='id', related_name='notices_shown', on_delete=OnDelete.RESTRICT)),
                ('issued_by_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recognised', fields.BooleanField(null=True)),
            ],
            options={'table': 'device_notice', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': 'What one device of an account is told about another: shown there until acknowledged.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Device',
            name='code_issued_by_id',
            field=fields.UUIDField(null=True),
        ),
    ]
