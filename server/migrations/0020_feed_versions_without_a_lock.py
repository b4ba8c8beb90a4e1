from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# PostgreSQL takes change versions from transaction ids instead of the counter row's lock
# (server/feed/versions.py); the offset puts the first of them above every version the
# counter gave. SQLite keeps the counter.
PER_TRANSACTION = 1 << 20


async def offset_above_the_counter(apps, schema_editor):
    if schema_editor.DIALECT != "postgres":
        return
    await schema_editor.client.execute_query(
        "UPDATE change_counter SET version_offset = value + 1"
        f" - pg_current_xact_id()::text::bigint * {PER_TRANSACTION} WHERE id = 1"
    )


class Migration(migrations.Migration):
    dependencies = [('doorstep', '0019_address_line_key')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='ChangeCounter',
            options={'table': 'change_counter', 'app': 'doorstep', 'pk_attr': 'id', 'table_description': "A single row for the feed's position (``server.feed.versions``): on SQLite its value is"},
        ),
        ops.AddField(
            model_name='ChangeCounter',
            name='version_offset',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.RunPython(offset_above_the_counter),
    ]
