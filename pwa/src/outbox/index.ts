/**
 * The outbox and sync client: queueing edits (through the storage module, atomically with the
 * local record), pushing and pulling (client.ts), and photo bytes (photos.ts).
 */
export { SyncClient, SYNC_LOCK, type Outcome, type SyncResult, type SyncStatus } from "./client";
export { PhotoUploader, addPhoto, sha256HexOfBlob, CHUNK_SIZE } from "./photos";
