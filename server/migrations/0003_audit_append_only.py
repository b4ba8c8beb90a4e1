from tortoise import migrations
from tortoise.migrations import operations as ops

# The audit table is append-only for the application: the database itself refuses UPDATE and
# DELETE (and TRUNCATE on PostgreSQL), so no code path - ours or an attacker's through ours -
# can rewrite history. The chain head row starts the hash chain.

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
]

POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    """CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]


async def forward(apps, schema_editor):
    client = schema_editor.client
    statements = POSTGRES_TRIGGERS if schema_editor.DIALECT == "postgres" else SQLITE_TRIGGERS
    for statement in statements:
        await client.execute_script(statement)
    await client.execute_script(
        "INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, '')"
    )


async def backward(apps, schema_editor):
    client = schema_editor.client
    if schema_editor.DIALECT == "postgres":
        await client.execute_script(
            "DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_event;"
            "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event;"
            "DROP FUNCTION IF EXISTS audit_event_append_only()"
        )
    else:
        await client.execute_script("DROP TRIGGER IF EXISTS audit_event_no_update")
        await client.execute_script("DROP TRIGGER IF EXISTS audit_event_no_delete")
    await client.execute_script("DELETE FROM audit_chain_head WHERE id = 1")


class Migration(migrations.Migration):
    dependencies = [('doorstep', '0002_change_counter_row')]

    initial = False

    operations = [ops.RunPython(forward, backward)]
