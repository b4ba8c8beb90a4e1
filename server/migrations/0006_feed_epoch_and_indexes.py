from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0005_photo_uploads')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ChangeCounter',
            name='epoch',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AlterField(
            model_name='KitIssue',
            name='visit',
            field=fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_index=True, db_constraint=True, to_field='id', related_name='kit_issues', on_delete=OnDelete.RESTRICT),
        ),
        ops.AlterField(
            model_name='Photo',
            name='visit',
            field=fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_index=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT),
        ),
        ops.AlterField(
            model_name='PropertyItem',
            name='visit',
            field=fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_index=True, db_constraint=True, to_field='id', related_name='property_items', on_delete=OnDelete.RESTRICT),
        ),
        ops.AlterField(
            model_name='Review',
            name='visit',
            field=fields.ForeignKeyField('doorstep.Visit', source_field='visit_id', db_index=True, db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['area_id', 'status', 'reference_reported_at']),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['team_id', 'status', 'reference_reported_at']),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['team_id', 'reference_reported_at']),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['area_id', 'reference_reported_at']),
        ),
    ]
