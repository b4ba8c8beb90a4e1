/**
 * What the officer sees of each record (the local view: `records`) and what the server last
 * sent of it (the server copy: `server`). A view is rebuilt, never edited in place, from the
 * server copy and the outbox entries the server has not reflected yet (model/rebase.ts).
 */

import { rebase } from "../model/rebase";
import type { CollectionName, LocalRecord, OutboxEntry, ServerCopy } from "../model/types";
import type { Database, WriteTx } from "../db/database";
import { keyOf, type RecordKey, type RecordRow, type ServerRow } from "../db/schema";
import { openRecord, openServer, sealRecord } from "../db/sealing";

/** New local views, sealed and ready to write: null removes the view. */
export type ViewRows = Map<string, { key: RecordKey; row: RecordRow | null }>;

export class Records {
  constructor(private readonly db: Database) {}

  async get(collection: CollectionName, id: string): Promise<LocalRecord | undefined> {
    const row = (await this.db.idb.get("records", [collection, id])) as RecordRow | undefined;
    return row ? openRecord(this.db.vault, row) : undefined;
  }

  async list(collection: CollectionName): Promise<LocalRecord[]> {
    const rows = (await this.db.idb.getAllFromIndex("records", "collection", collection)) as RecordRow[];
    return Promise.all(rows.map((r) => openRecord(this.db.vault, r)));
  }

  /** A visit's child records (property items, kits, photos) and the visit itself. */
  async ofVisit(visitId: string): Promise<LocalRecord[]> {
    const rows = (await this.db.idb.getAllFromIndex("records", "visit_id", visitId)) as RecordRow[];
    return Promise.all(rows.map((r) => openRecord(this.db.vault, r)));
  }

  async serverCopy(collection: CollectionName, id: string): Promise<ServerCopy | undefined> {
    const row = (await this.db.idb.get("server", [collection, id])) as ServerRow | undefined;
    return row ? openServer(this.db.vault, row) : undefined;
  }

  /**
   * Compute (outside any transaction) the new views for `keys` from their server copies (or
   * `serverOverride`, what a pull is about to write) and the outbox `entries`.
   */
  async rebuild(
    keys: RecordKey[],
    entries: OutboxEntry[],
    reflected: number,
    epoch: number,
    serverOverride: Map<string, ServerCopy | null> = new Map(),
  ): Promise<ViewRows> {
    const now = new Date().toISOString();
    const out: ViewRows = new Map();
    for (const key of uniqueKeys(keys)) {
      const k = keyOf(...key);
      let server: ServerCopy | undefined;
      if (serverOverride.has(k)) server = serverOverride.get(k) ?? undefined;
      else server = await this.serverCopy(...key);
      // Entries of an earlier sync identity are never overlaid (see Outbox.renumber()).
      const mine = entries.filter((e) => e.collection === key[0] && e.id === key[1] && e.epoch === epoch);
      const view = rebase(server, mine, reflected, now);
      out.set(k, { key, row: view ? await sealRecord(this.db.vault, view) : null });
    }
    return out;
  }
}

/** Write views from `Records.rebuild` in the caller's transaction. */
export async function writeViews(tx: WriteTx, views: ViewRows): Promise<void> {
  const records = tx.objectStore("records");
  for (const { key, row } of views.values()) {
    if (row) await records.put(row);
    else await records.delete(key);
  }
}

function uniqueKeys(keys: RecordKey[]): RecordKey[] {
  const seen = new Map<string, RecordKey>();
  for (const k of keys) seen.set(keyOf(...k), k);
  return [...seen.values()];
}
