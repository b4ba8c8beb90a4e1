from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0011_visit_list_and_figures_indexes')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='ScopeExit',
            name='area_id',
            field=fields.IntField(null=True),
        ),
        ops.AlterField(
            model_name='ScopeExit',
            name='officer_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AlterField(
            model_name='ScopeExit',
            name='team_id',
            field=fields.IntField(null=True),
        ),
    ]
