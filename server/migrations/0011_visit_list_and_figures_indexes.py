from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0010_device_notices')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Visit',
            name=None,
            fields=['team_id', 'status'],
        ),
        ops.RemoveIndex(
            model_name='Visit',
            name=None,
            fields=['area_id', 'status'],
        ),
        ops.AlterField(
            model_name='Visit',
            name='reference_reported_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['team_id', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['area_id', 'created_at', 'id']),
        ),
    ]
