/**
 * Everything the app keeps on the phone, behind one handle: the database (db/) and the parts
 * built on it, each with one job. `Store.open` is the only way in; the service worker opens it
 * without a key (locked) and so can read clear bookkeeping but never write anything personal.
 */

import { Database } from "../db/database";
import { META, Meta, putSyncIdentity } from "../db/meta";
import { DB_NAME, PERSONAL_STORES, type OutboxRow } from "../db/schema";
import { lockedVault, type Vault } from "../db/vault";
import { Feed } from "../feed/feed";
import { Outbox } from "../outbox/outbox";
import { Purge } from "../purge/purge";
import { Drafts } from "./drafts";
import { PhotoBlobs, TusUrls } from "./photos";
import { Records } from "./records";

export interface Counts {
  waiting: number;
  rejected: number;
  photosWaiting: number;
  photoBytesWaiting: number;
}

export class Store {
  /** Small values under the keys in META (the sync identity, settings, the profile). */
  readonly meta: Meta;
  /** Local views and server copies. */
  readonly records: Records;
  readonly drafts: Drafts;
  readonly photos: PhotoBlobs;
  readonly tus: TusUrls;
  /** Queued mutations: edits go in here, pushes take them out. */
  readonly outbox: Outbox;
  /** Pulled pages go in here. */
  readonly feed: Feed;
  readonly purge: Purge;

  private constructor(private readonly db: Database) {
    this.meta = new Meta(db);
    this.records = new Records(db);
    this.drafts = new Drafts(db);
    this.photos = new PhotoBlobs(db);
    this.tus = new TusUrls(db);
    this.outbox = new Outbox(db, this.meta, this.records);
    this.feed = new Feed(db, this.meta, this.records, this.outbox);
    this.purge = new Purge(db, this.meta);
  }

  /** Open (creating if need be) the database; without a vault it opens locked (Database.open). */
  static async open(name = DB_NAME, vault: Vault = lockedVault): Promise<Store> {
    const store = new Store(await Database.open(name, vault));
    await store.meta.ensureSyncIdentity();
    return store;
  }

  get vault(): Vault {
    return this.db.vault;
  }

  /** No key in memory: sealed values can be neither read nor written. */
  get locked(): boolean {
    return !this.db.vault.unlocked;
  }

  get name(): string {
    return this.db.name;
  }

  close(): void {
    this.db.close();
  }

  /** Remove every database of this app from the device, every officer's (a revoked device). */
  async wipe(): Promise<void> {
    await this.db.wipe();
  }

  /** Remove this officer's database only (their own sign-out and wipe); others' stay. */
  async drop(): Promise<void> {
    await this.db.drop();
  }

  /** What is still to go, for the sync bar and the lock screen (so only clear bookkeeping is read). */
  async counts(): Promise<Counts> {
    const epoch = await this.meta.get<number>(META.epoch);
    const entries = (await this.db.idb.getAll("outbox")) as OutboxRow[];
    const photos = await this.photos.states();
    const waiting = photos.filter((p) => p.upload_state !== "verified");
    return {
      waiting: entries.filter((e) => e.state === "queued" && e.epoch === epoch).length,
      rejected: entries.filter((e) => e.state === "rejected" && !e.dismissed).length,
      photosWaiting: waiting.length,
      photoBytesWaiting: waiting.reduce((n, p) => n + Math.max(0, p.byte_size - (p.upload_state === "uploaded" ? p.byte_size : p.upload_offset)), 0),
    };
  }

  /**
   * Forget every personal record ("online only" devices at each start, whose key was never
   * stored): records, server copies, outbox, drafts, photos, the profile and stubs. A new sync
   * identity starts (new client_id, seq from 1) and the feed is pulled again from the start.
   */
  async clearPersonalData(): Promise<void> {
    await this.db.write(async () => {
      const epoch = ((await this.meta.get<number>(META.epoch)) ?? 0) + 1;
      await this.db.atomically(["meta", ...PERSONAL_STORES], async (tx) => {
        for (const name of PERSONAL_STORES) await tx.objectStore(name).clear();
        const meta = tx.objectStore("meta");
        for (const key of [META.profile, META.purgedVisits, META.purgeSeen, META.repull, META.cursor, META.seqBroken]) await meta.delete(key);
        await putSyncIdentity(meta, epoch, 1);
      });
    });
  }
}
