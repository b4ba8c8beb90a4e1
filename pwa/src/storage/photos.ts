/**
 * Photo bytes kept on the phone until the server has verified them, with their upload state,
 * and the tus upload URLs (tus-js-client's UrlStorage) that let an upload resume after a reload.
 */

import type { PhotoBlobEntry, TusUrlRecord } from "../model/types";
import type { Database, WriteTx } from "../db/database";
import type { PhotoRow } from "../db/schema";
import { sealedAt } from "../db/sealing";

export class PhotoBlobs {
  constructor(private readonly db: Database) {}

  async put(entry: PhotoBlobEntry): Promise<void> {
    const blob = await this.db.vault.sealBlob(entry.blob, sealedAt.photo(entry.id));
    await this.db.write(() => this.db.idb.put("photos", { ...entry, blob } satisfies PhotoRow).then(() => undefined));
  }

  async get(id: string): Promise<PhotoBlobEntry | undefined> {
    const row = (await this.db.idb.get("photos", id)) as PhotoRow | undefined;
    return row ? { ...row, blob: await this.db.vault.openBlob(row.blob, sealedAt.photo(row.id)) } : undefined;
  }

  /** Photo bookkeeping without the bytes. */
  async states(): Promise<Omit<PhotoBlobEntry, "blob">[]> {
    const rows = (await this.db.idb.getAll("photos")) as PhotoRow[];
    return rows.map(({ blob: _b, ...rest }) => rest);
  }

  async update(id: string, patch: Partial<Omit<PhotoBlobEntry, "blob" | "id">>): Promise<void> {
    await this.db.write(async () => {
      const tx = this.db.idb.transaction("photos", "readwrite");
      const row = (await tx.store.get(id)) as PhotoRow | undefined;
      if (row) await tx.store.put({ ...row, ...patch });
      await tx.done;
    });
  }
}

export class TusUrls {
  constructor(private readonly db: Database) {}

  async find(fingerprint?: string): Promise<TusUrlRecord[]> {
    if (fingerprint === undefined) return (await this.db.idb.getAll("tus")) as TusUrlRecord[];
    return (await this.db.idb.getAllFromIndex("tus", "fingerprint", fingerprint)) as TusUrlRecord[];
  }

  async add(record: TusUrlRecord): Promise<void> {
    await this.db.write(() => this.db.idb.put("tus", record).then(() => undefined));
  }

  async remove(key: string): Promise<void> {
    await this.db.write(() => this.db.idb.delete("tus", key));
  }
}

/** The tus fingerprint of a photo's upload. */
export function photoFingerprint(photoId: string): string {
  return `doorstep-photo-${photoId}`;
}

/** Forget a photo's upload URLs, in the caller's transaction (which has `tus`). */
export async function deleteTusUrlsOf(tx: WriteTx, photoId: string): Promise<void> {
  const keys = await tx.objectStore("tus").index("fingerprint").getAllKeys(photoFingerprint(photoId));
  for (const k of keys) await tx.objectStore("tus").delete(k);
}
