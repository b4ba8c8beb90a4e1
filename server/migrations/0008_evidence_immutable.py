from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# Evidence is immutable once verified (SECURITY.md 30, issue 14): the database itself keeps a
# verified original unchanged, whatever code path - ours or an attacker's through ours - tries:
#
# - once a photo has an original, its original_sha256, original_key, original_bytes and
#   original_content_type never change, its status stays 'verified', and its declared sha256
#   can only be (or go back to) the original's;
# - an original is only ever set together with status 'verified', and only to the sha256 the
#   photo's record declares; no photo is 'verified' without one;
# - at most one upload per photo is open at a time (a partial unique index).
#
# Lawful erasure deletes the photo row; DELETE is not guarded. Open uploads beyond the newest
# of a photo, if any exist, are ended first so the index can be made.

EVIDENCE = "a verified original is evidence and never changes"
DECLARED = "evidence must be the verified bytes that the photo record declares"

SQLITE = [
    f"""CREATE TRIGGER photo_original_unchanged BEFORE UPDATE ON photo
       WHEN OLD.original_sha256 IS NOT NULL AND (
            NEW.original_sha256 IS NOT OLD.original_sha256
         OR NEW.original_key IS NOT OLD.original_key
         OR NEW.original_bytes IS NOT OLD.original_bytes
         OR NEW.original_content_type IS NOT OLD.original_content_type
         OR NEW.status IS NOT 'verified'
         OR (NEW.sha256 IS NOT OLD.sha256 AND NEW.sha256 IS NOT NEW.original_sha256))
       BEGIN SELECT RAISE(ABORT, '{EVIDENCE}'); END""",
    f"""CREATE TRIGGER photo_original_declared_update BEFORE UPDATE ON photo
       WHEN OLD.original_sha256 IS NULL AND (
            (NEW.original_sha256 IS NOT NULL AND (
                 NEW.status IS NOT 'verified' OR NEW.sha256 IS NOT NEW.original_sha256
              OR NEW.original_key IS NULL OR NEW.original_bytes IS NULL))
         OR (NEW.original_sha256 IS NULL AND NEW.status IS 'verified'))
       BEGIN SELECT RAISE(ABORT, '{DECLARED}'); END""",
    f"""CREATE TRIGGER photo_original_declared_insert BEFORE INSERT ON photo
       WHEN (NEW.original_sha256 IS NOT NULL AND (
                 NEW.status IS NOT 'verified' OR NEW.sha256 IS NOT NEW.original_sha256
              OR NEW.original_key IS NULL OR NEW.original_bytes IS NULL))
         OR (NEW.original_sha256 IS NULL AND NEW.status IS 'verified')
       BEGIN SELECT RAISE(ABORT, '{DECLARED}'); END""",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION photo_original_is_evidence() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.original_sha256 IS NOT NULL THEN
           IF NEW.original_sha256 IS DISTINCT FROM OLD.original_sha256
              OR NEW.original_key IS DISTINCT FROM OLD.original_key
              OR NEW.original_bytes IS DISTINCT FROM OLD.original_bytes
              OR NEW.original_content_type IS DISTINCT FROM OLD.original_content_type
              OR NEW.status IS DISTINCT FROM 'verified'
              OR (NEW.sha256 IS DISTINCT FROM OLD.sha256
                  AND NEW.sha256 IS DISTINCT FROM NEW.original_sha256) THEN
             RAISE EXCEPTION 'photo %: {EVIDENCE}', OLD.id;
           END IF;
         ELSIF NEW.original_sha256 IS NOT NULL THEN
           IF NEW.status IS DISTINCT FROM 'verified'
              OR NEW.sha256 IS DISTINCT FROM NEW.original_sha256
              OR NEW.original_key IS NULL OR NEW.original_bytes IS NULL THEN
             RAISE EXCEPTION 'photo %: {DECLARED}', NEW.id;
           END IF;
         ELSIF NEW.status = 'verified' THEN
           RAISE EXCEPTION 'photo %: {DECLARED}', NEW.id;
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER photo_original_is_evidence BEFORE INSERT OR UPDATE ON photo
       FOR EACH ROW EXECUTE FUNCTION photo_original_is_evidence()""",
]

END_EXTRA_OPEN_UPLOADS = """
    UPDATE photo_upload
       SET state = 'failed', message = 'superseded by a newer upload of this photo'
     WHERE state = 'open' AND EXISTS (
           SELECT 1 FROM photo_upload AS newer
            WHERE newer.photo_id = photo_upload.photo_id AND newer.state = 'open'
              AND (newer.created_at > photo_upload.created_at
                   OR (newer.created_at = photo_upload.created_at
                       AND newer.id > photo_upload.id)))
"""
ONE_OPEN_UPLOAD = (
    "CREATE UNIQUE INDEX photo_upload_one_open ON photo_upload (photo_id) WHERE state = 'open'"
)


async def forward(apps, schema_editor):
    client = schema_editor.client
    statements = POSTGRES if schema_editor.DIALECT == "postgres" else SQLITE
    for statement in [*statements, END_EXTRA_OPEN_UPLOADS, ONE_OPEN_UPLOAD]:
        await client.execute_script(statement)


async def backward(apps, schema_editor):
    client = schema_editor.client
    await client.execute_script("DROP INDEX IF EXISTS photo_upload_one_open")
    if schema_editor.DIALECT == "postgres":
        await client.execute_script(
            "DROP TRIGGER IF EXISTS photo_original_is_evidence ON photo;"
            "DROP FUNCTION IF EXISTS photo_original_is_evidence()"
        )
    else:
        for name in (
            "photo_original_unchanged",
            "photo_original_declared_update",
            "photo_original_declared_insert",
        ):
            await client.execute_script(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [('doorstep', '0007_audit_key_id')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Upload',
            index=Index(fields=['officer_id', 'state', 'expires_at']),
        ),
        ops.RunPython(forward, backward),
    ]
