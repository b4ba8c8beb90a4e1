/**
 * Photos are evidence: the bytes the browser captured are kept unchanged as a Blob on the
 * device, hashed (SHA-256) there first, and announced by a `photos` mutation; upload.ts sends
 * the bytes once the server has the mutation.
 */

import type { Store } from "../storage";

export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"] as const;

export async function sha256Bytes(data: ArrayBuffer): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

export async function sha256HexOfBlob(blob: Blob): Promise<string> {
  const digest = await sha256Bytes(await blob.arrayBuffer());
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A photo as the file input gave it: stored, hashed and announced (metadata mutation). */
export async function addPhoto(
  store: Store,
  file: Blob & { lastModified?: number },
  visitId: string,
  category: string,
  caption: string | null,
): Promise<string> {
  const type = file.type.toLowerCase();
  if (!(PHOTO_TYPES as readonly string[]).includes(type)) {
    throw new Error(`Photos must be JPEG, PNG, WebP or HEIC (this file is ${type || "of an unknown type"}).`);
  }
  const id = crypto.randomUUID();
  const sha256 = await sha256HexOfBlob(file);
  const takenAt = new Date(file.lastModified && file.lastModified > 0 ? file.lastModified : Date.now()).toISOString();
  // The bytes first: a photo is on the device before anything refers to it.
  await store.photos.put({
    id, visit_id: visitId, blob: file, sha256, content_type: type, byte_size: file.size, taken_at: takenAt,
    upload_state: "waiting", upload_offset: 0, upload_error: null, attempts: 0,
  });
  await store.outbox.enqueue({
    collection: "photos",
    id,
    visit_id: visitId,
    fields: { visit_id: visitId, category, caption, taken_at: takenAt, byte_size: file.size, sha256, content_type: type },
  });
  return id;
}
