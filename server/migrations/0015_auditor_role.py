from tortoise import migrations
from tortoise.migrations import operations as ops
from sync.status import Role
from tortoise import fields

# The auditor role (reads the audit log, never victims' data): the column is a plain
# varchar, so only its description changes.

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0014_visit_report_link_and_repeat_flag')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Officer',
            name='role',
            field=fields.CharEnumField(description='OFFICER: officer\nSUPERVISOR: supervisor\nADMIN: admin\nAUDITOR: auditor', enum_type=Role, max_length=16),
        ),
    ]
