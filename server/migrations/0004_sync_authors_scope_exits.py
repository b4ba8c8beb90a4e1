from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0003_audit_append_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ScopeExit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.BigIntField(db_index=True)),
                ('collection', fields.CharField(max_length=20)),
                ('record_id', fields.UUIDField()),
                ('visit_id', fields.UUIDField()),
                ('officer_id', fields.UUIDField()),
                ('team_id', fields.IntField()),
                ('area_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'scope_exit', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': 'A record leaving a scope (e.g. a visit moved to another officer or team).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='KitIssue',
            name='field_authors',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Photo',
            name='field_authors',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='PropertyItem',
            name='field_authors',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Revision',
            name='author',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddField(
            model_name='Revision',
            name='conflicts_added',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Revision',
            name='conflicts_cleared',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Visit',
            name='field_authors',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
