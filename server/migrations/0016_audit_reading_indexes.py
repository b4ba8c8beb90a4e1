from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# Reading the audit log by record (a visit's trail) and by person: without these every
# question scans the whole, ever-growing table.

class Migration(migrations.Migration):
    dependencies = [('doorstep', '0015_auditor_role')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['record_type', 'record_id']),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['actor_id']),
        ),
    ]
