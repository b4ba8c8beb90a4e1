"""Photos domain: evidential photos, their bytes by tus, and serving them.

One module per job:

- ``enums``, ``models``, ``schemas``: the photo's status and category, its tables (photo,
  upload), its sync schema (``PhotoRecord``) and the tus ``Upload-Metadata``;
- ``tus``: the tus 1.0.0 wire: every tus header, constant and error;
- ``access``: who may touch which photo and upload (404 otherwise);
- ``guards``: what may still go into a photo's original (evidence is immutable once
  verified); ``ending``: how a refused or superseded upload ends;
- ``opening``: opening an upload (under lock, one per photo, capped per officer);
  ``uploads``: taking its chunks; ``verification``: the whole-file SHA-256 check that
  verifies or fails the photo; ``cleanup``: expiry and leftovers; ``progress``: upload
  bookkeeping whose loss in a crash costs a resend, committed without waiting for the WAL;
- ``status``: a photo's status changes, through the change feed;
- ``derivatives`` and ``images``: display copies and thumbnails, decoded within a memory
  ``budget``;
- ``downloads``: serving an original or derivative, audited;
- ``store``: where bytes live (a protocol, a filesystem and an S3 backend);
- ``routes``: HTTP in and out, nothing else.
"""
