from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0013_reports_and_integrations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Visit',
            name='reference_report_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Visit',
            name='repeat_computed',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
