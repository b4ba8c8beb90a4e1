/** Drafts: what the officer typed that is not yet a valid value, kept until it is (or is cleared). */

import type { CollectionName } from "../model/types";
import type { Database } from "../db/database";
import { draftsRange, type DraftRow } from "../db/schema";
import { sealedAt } from "../db/sealing";

export class Drafts {
  constructor(private readonly db: Database) {}

  async set(collection: CollectionName, id: string, path: string, text: string): Promise<void> {
    const sealed = await this.db.vault.seal(text, sealedAt.draft(collection, id, path));
    await this.db.write(() => this.db.idb.put("drafts", { collection, id, path, sealed } satisfies DraftRow).then(() => undefined));
  }

  async clear(collection: CollectionName, id: string, path: string): Promise<void> {
    await this.db.write(() => this.db.idb.delete("drafts", [collection, id, path]));
  }

  /** The drafts of one record, by path. */
  async of(collection: CollectionName, id: string): Promise<Record<string, string>> {
    const rows = (await this.db.idb.getAll("drafts", draftsRange(collection, id))) as DraftRow[];
    const out: Record<string, string> = {};
    for (const r of rows) out[r.path] = await this.db.vault.open<string>(r.sealed, sealedAt.draft(r.collection, r.id, r.path));
    return out;
  }

  /** Where there are drafts (without what they say). */
  async all(): Promise<{ collection: CollectionName; id: string; path: string }[]> {
    const rows = (await this.db.idb.getAll("drafts")) as DraftRow[];
    return rows.map(({ collection, id, path }) => ({ collection, id, path }));
  }
}
