from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """The single row whose value orders the change feed (see server/syncing/versions.py)."""

    dependencies = [('doorstep', '0001_initial')]

    initial = False

    operations = [
        ops.RunSQL(
            "INSERT INTO change_counter (id, value) VALUES (1, 0)",
            reverse_sql="DELETE FROM change_counter WHERE id = 1",
        ),
    ]
