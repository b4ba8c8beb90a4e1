from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Audit rows become keyed (HMAC-SHA256, server/audit/chain.py). Rows already written keep
# key_id '' (plain SHA-256): verification accepts them only before the first keyed row, whose
# HMAC covers the last of them. The server seals them at start-up (and `doorstep audit-anchor`
# does) by appending a keyed row. No key is needed here: migrations never hold the audit key.

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0006_feed_epoch_and_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEvent',
            name='key_id',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
    ]
