from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

from server.visits.address_key import line_key

# Earlier burglaries at an address are found by (postcode, first-line key) instead of reading
# every burglary at the postcode; the key is the server's, kept by the feed from now on. Rows
# written before are given theirs here, a batch at a time.
BATCH = 5000


async def fill_line_keys(apps, schema_editor):
    client = schema_editor.client
    one, two = ("$1", "$2") if schema_editor.DIALECT == "postgres" else ("?", "?")
    for table in ("visit", "report"):
        after = None
        while True:
            query = f"SELECT id, address_line1 FROM {table} WHERE address_line1 IS NOT NULL"
            query += f" AND id > {one}" if after else ""
            rows = await client.execute_query_dict(
                f"{query} ORDER BY id LIMIT {BATCH}", [after] if after else []
            )
            if not rows:
                break
            await client.execute_many(
                "UPDATE {} SET address_line_key = {} WHERE id = {}".format(table, one, two),
                [[line_key(r["address_line1"]) or None, r["id"]] for r in rows],
            )
            after = rows[-1]["id"]

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0018_visit_erasure')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Report',
            name='address_line_key',
            field=fields.CharField(null=True, max_length=160),
        ),
        ops.AddIndex(
            model_name='Report',
            index=Index(fields=['address_postcode', 'address_line_key']),
        ),
        ops.AddField(
            model_name='Visit',
            name='address_line_key',
            field=fields.CharField(null=True, max_length=160),
        ),
        ops.AddIndex(
            model_name='Visit',
            index=Index(fields=['address_postcode', 'address_line_key']),
        ),
        ops.RunPython(fill_line_keys),
    ]
