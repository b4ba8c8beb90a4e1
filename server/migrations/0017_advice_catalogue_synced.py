from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
import uuid
from datetime import UTC, datetime
from json import dumps, loads
from uuid import uuid4
from tortoise import fields

# The advice catalogue becomes a synchronised collection (advice_items): one record per item
# version, keyed by a UUID made from (item, version), with the feed's columns, so officers'
# phones receive it by pull (PROTOCOL.md 2.1). The old table (integer ids, no feed position)
# is copied into the new one - each row at a fresh change version, with a first revision -
# and then dropped. Ids are made as server/advice/models.py makes them.

ADVICE_NAMESPACE = uuid.UUID("6d0f3c1e-5b1a-4f43-9c55-8e0a5e2b7c41")
RECORD_FIELDS = ("category", "title", "body", "tags", "position", "current", "retired")


async def copy_catalogue(apps, schema_editor):
    client = schema_editor.client
    old = apps.get_model("doorstep.AdviceTableBeforeSync")
    new = apps.get_model("doorstep.AdviceItem")
    revision = apps.get_model("doorstep.Revision")
    rows = await old.all().using_db(client).order_by("id")
    if not rows:
        return
    placeholder = "$1" if schema_editor.DIALECT == "postgres" else "?"
    counter = await client.execute_query_dict(
        f"UPDATE change_counter SET value = value + {placeholder} WHERE id = 1 RETURNING value",
        [len(rows)],
    )
    first = int(counter[0]["value"]) - len(rows) + 1
    now = datetime.now(UTC)
    copies, revisions = [], []
    for offset, row in enumerate(rows):
        record_id = uuid.uuid5(ADVICE_NAMESPACE, f"{row.item_id}@{row.version}")
        record = {"item_id": row.item_id, "version": row.version}
        record.update({name: getattr(row, name) for name in RECORD_FIELDS})
        copies.append(
            new(
                id=record_id,
                rev=1,
                field_revs=dict.fromkeys(record, 1),
                field_authors=dict.fromkeys(record, "server"),
                conflicts=[],
                version=first + offset,
                deleted=False,
                created_at=row.created_at,
                updated_at=now,
                item_id=row.item_id,
                item_version=row.version,
                **{name: getattr(row, name) for name in RECORD_FIELDS},
            )
        )
        revisions.append(
            revision(
                collection="advice_items",
                record_id=record_id,
                rev=1,
                visit_id=record_id,
                op="put",
                changes=record,
                previous={},
                conflicts_added=[],
                conflicts_cleared=[],
                author="server",
                created_at=now,
            )
        )
    await new.bulk_create(copies, using_db=client)
    await revision.bulk_create(revisions, using_db=client)


class Migration(migrations.Migration):
    dependencies = [('doorstep', '0016_audit_reading_indexes')]

    initial = False

    operations = [
        ops.RenameModel('AdviceItem', 'AdviceTableBeforeSync'),
        ops.CreateModel(
            name='AdviceItem',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('rev', fields.IntField(default=1)),
                ('field_revs', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('field_authors', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('conflicts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.BigIntField(default=0, db_index=True)),
                ('deleted', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('item_id', fields.CharField(max_length=60)),
                ('item_version', fields.IntField()),
                ('category', fields.CharField(max_length=40)),
                ('title', fields.CharField(max_length=160)),
                ('body', fields.TextField(unique=False)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('position', fields.IntField(default=0)),
                ('current', fields.BooleanField(default=True)),
                ('retired', fields.BooleanField(default=False)),
            ],
            options={'table': 'advice_catalogue', 'app': 'doorstep', 'unique_together': (('item_id', 'item_version'),), 'pk_attr': 'id', 'table_description': 'One version of one catalogue item - a visit records the (item_id, version) it ticked.'},
            bases=['SyncedRecord'],
        ),
        ops.RunPython(copy_catalogue),
        ops.DeleteModel('AdviceTableBeforeSync'),
    ]
