from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0006_feed_epoch_and_indexes')]

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
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['team_id', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['area_id', 'created_at', 'id']),
        ),
    ]
