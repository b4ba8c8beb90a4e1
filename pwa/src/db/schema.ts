/**
 * The IndexedDB schema: the database name, its object stores, their keys and indexes, and the
 * shape of each row as stored (keys and non-personal bookkeeping in clear, the rest sealed).
 *
 * Phones in the field hold officers' unsent work in this database. Its name, store names, key
 * paths and index names are what those phones have: changing any of them needs a version bump
 * and an upgrade that carries every row across (test/db/schema.test.ts pins them).
 *
 * One database per officer who has used the phone, all with this schema: the phone's first
 * officer has `doorstep` (what every phone had before), each other officer
 * `doorstep-officer-<officer id>`. Another officer's data is never moved or merged: it stays
 * sealed under their key until they sign in here again (storage/officers.ts).
 */

import type { IDBPDatabase } from "idb";

import type { CollectionName, LocalRecord, OutboxEntry, PhotoBlobEntry, ServerCopy } from "../model/types";
import type { Sealed } from "./vault";

export const DB_NAME = "doorstep";
export const DB_VERSION = 1;
/** The databases of officers other than the one who has `doorstep`. */
export const OFFICER_DB_PREFIX = "doorstep-officer-";

/** The database a further officer's data lives in on this phone. */
export function officerDbName(officerId: string): string {
  return `${OFFICER_DB_PREFIX}${officerId}`;
}

/** Is this one of the app's databases (an officer's), not something else of the origin? */
export function isOfficerDb(name: string): boolean {
  return name === DB_NAME || name.startsWith(OFFICER_DB_PREFIX);
}

export type StoreName = "meta" | "records" | "server" | "outbox" | "drafts" | "photos" | "tus";

/** Stores that hold personal data (emptied by `Store.clearPersonalData`). */
export const PERSONAL_STORES = ["records", "server", "outbox", "drafts", "photos", "tus"] as const satisfies readonly StoreName[];

/** Create the stores of version 1 (a new phone; nothing to carry across yet). */
export function upgrade(db: IDBPDatabase): void {
  db.createObjectStore("meta");
  const records = db.createObjectStore("records", { keyPath: ["collection", "id"] });
  records.createIndex("visit_id", "visit_id");
  records.createIndex("collection", "collection");
  const server = db.createObjectStore("server", { keyPath: ["collection", "id"] });
  server.createIndex("visit_id", "visit_id");
  db.createObjectStore("outbox", { keyPath: "qid", autoIncrement: true });
  db.createObjectStore("drafts", { keyPath: ["collection", "id", "path"] });
  const photos = db.createObjectStore("photos", { keyPath: "id" });
  photos.createIndex("visit_id", "visit_id");
  const tus = db.createObjectStore("tus", { keyPath: "key" });
  tus.createIndex("fingerprint", "fingerprint");
}

/** The key of a row in `records` or `server`. */
export type RecordKey = [CollectionName, string];
/** One string per record, for maps and sets. */
export const keyOf = (collection: CollectionName, id: string): string => `${collection}/${id}`;

/** Every key of `[collection, id, *]` (a record's drafts). */
export function draftsRange(collection: CollectionName, id: string): IDBKeyRange {
  return IDBKeyRange.bound([collection, id, ""], [collection, id, "\uffff"]);
}

/** A local view (`records`): bookkeeping in clear, `{fields, conflicts}` sealed. */
export interface RecordRow extends Omit<LocalRecord, "fields" | "conflicts"> {
  sealed: Sealed;
}

/** A server copy (`server`): bookkeeping in clear, `{record, conflicts}` sealed. */
export interface ServerRow extends Omit<ServerCopy, "record" | "conflicts"> {
  sealed: Sealed;
}

/** A queued mutation (`outbox`): bookkeeping in clear, `{fields, result}` sealed. */
export interface OutboxRow extends Omit<OutboxEntry, "fields" | "result"> {
  sealed: Sealed;
}

/** An unsaved draft (`drafts`). */
export interface DraftRow {
  collection: CollectionName;
  id: string;
  path: string;
  sealed: Sealed; // the text as typed
}

/** A photo's bytes and upload bookkeeping (`photos`). */
export interface PhotoRow extends Omit<PhotoBlobEntry, "blob"> {
  blob: Sealed;
}
