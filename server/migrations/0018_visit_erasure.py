from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Erasure (server/retention/): when a visit was erased, and the photo objects an erasure
# still has to remove from the store (retried by `doorstep retention --apply`).

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0017_advice_catalogue_synced')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ErasureObject',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('queued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'erasure_object', 'app': 'doorstep', 'pk_attr': 'key', 'table_description': 'A photo store object (or folder of objects) an erasure still has to remove.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Visit',
            name='erased_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
