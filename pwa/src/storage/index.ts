/**
 * The ONE module that touches IndexedDB. Everything the app keeps on the device goes through
 * `Store`: the local view of each record, the server copies, the outbox, unsaved drafts, photo
 * blobs, tus resume URLs and small settings.
 *
 * Encryption seam: every value that can hold personal data is passed through `Vault.seal`
 * before it is written and `Vault.open` after it is read (see vault.ts). Sealing is async (Web
 * Crypto) and an IndexedDB transaction closes when it awaits anything else, so each operation
 * reads in one transaction, opens/computes/seals outside it, and writes in a second one. All
 * writers hold one write lock (in this tab, and across tabs with the Web Locks API), so nothing
 * can slip in between the read and the write.
 *
 * Atomicity: an edit writes the new local view, the queued mutation and the next seq in ONE
 * readwrite transaction; a pull page writes server copies, views, the cursor and the outbox
 * clean-up in one transaction too. A crash leaves either all of it or none of it.
 */

import { parseMutation, RESOLVE_KEY, type Conflict } from "../sync";
import { rebase } from "../model/rebase";
import type {
  CollectionName,
  Fields,
  LocalRecord,
  OutboxEntry,
  PhotoBlobEntry,
  PushResult,
  ServerCopy,
  TusUrlRecord,
} from "../model/types";
import { Database, type WriteTx } from "../db/database";
import { META, Meta, putSyncIdentity, type MetaKey } from "../db/meta";
import {
  DB_NAME,
  PERSONAL_STORES,
  draftsRange,
  keyOf,
  type DraftRow,
  type OutboxRow,
  type PhotoRow,
  type RecordKey as Key,
  type RecordRow,
  type ServerRow,
} from "../db/schema";
import { openEntry, openRecord, openServer, sealedAt, sealEntry, sealRecord, sealServer } from "../db/sealing";
import { identityVault, type Vault } from "../db/vault";
import { purgeBlockers, purgeDue, stubOf, TERMINAL_STATUSES, type VisitStub } from "./purge";

export { identityVault, lockedVault, AesGcmVault, LockedError, VaultError, type Vault, type Sealed } from "../db/vault";
export { deleteAllDatabases, deleteDatabase } from "../db/database";
export { DB_NAME } from "../db/schema";
export { META, type MetaKey } from "../db/meta";
export { DEFAULT_PURGE_GRACE_MS, type VisitStub } from "./purge";

/** One page of a pull, as the server sends it. */
export interface PullChange {
  collection: CollectionName;
  id: string;
  rev: number;
  deleted: boolean;
  record: Fields | null;
  conflicts: Conflict[];
  reason?: string;
}
export interface PullPage {
  cursor: string;
  has_more: boolean;
  last_seq: number;
  changes: PullChange[];
  reset?: boolean;
}

export interface EditInput {
  collection: CollectionName;
  id: string;
  /** Dotted paths to set (ignored for a delete). */
  fields?: Fields;
  op?: "put" | "delete";
  /** Conflicts on these paths have been seen; the value in `fields` (if any) resolves them. */
  resolve?: string[];
  /** The visit the record belongs to (its own id for a visit). */
  visit_id: string | null;
  /** Merge into the last queued mutation when it is for the same record and not yet sent. */
  coalesce?: boolean;
  at?: string;
}

type AnyTx = WriteTx;

export class Store {
  readonly meta: Meta;

  private constructor(private readonly db: Database) {
    this.meta = new Meta(db);
  }

  get vault(): Vault {
    return this.db.vault;
  }

  get name(): string {
    return this.db.name;
  }

  static async open(name = DB_NAME, vault: Vault = identityVault): Promise<Store> {
    const store = new Store(await Database.open(name, vault));
    await store.meta.ensureSyncIdentity();
    return store;
  }

  close(): void {
    this.db.close();
  }

  // ---- small settings -------------------------------------------------------------------

  getMeta<T>(key: MetaKey): Promise<T | undefined> {
    return this.meta.get<T>(key);
  }

  setMeta(key: MetaKey, value: unknown): Promise<void> {
    return this.meta.set(key, value);
  }

  getSealedMeta<T>(key: MetaKey): Promise<T | undefined> {
    return this.meta.getSealed<T>(key);
  }

  setSealedMeta(key: MetaKey, value: unknown): Promise<void> {
    return this.meta.setSealed(key, value);
  }

  clientId(): Promise<string> {
    return this.meta.clientId();
  }

  // ---- the local view -------------------------------------------------------------------

  async getRecord(collection: CollectionName, id: string): Promise<LocalRecord | undefined> {
    const row = (await this.db.idb.get("records", [collection, id])) as RecordRow | undefined;
    return row ? openRecord(this.vault, row) : undefined;
  }

  async listRecords(collection: CollectionName): Promise<LocalRecord[]> {
    const rows = (await this.db.idb.getAllFromIndex("records", "collection", collection)) as RecordRow[];
    return Promise.all(rows.map((r) => openRecord(this.vault, r)));
  }

  /** A visit's child records (property items, kits, photos) and the visit itself. */
  async recordsOfVisit(visitId: string): Promise<LocalRecord[]> {
    const rows = (await this.db.idb.getAllFromIndex("records", "visit_id", visitId)) as RecordRow[];
    return Promise.all(rows.map((r) => openRecord(this.vault, r)));
  }

  async getServerCopy(collection: CollectionName, id: string): Promise<ServerCopy | undefined> {
    const row = (await this.db.idb.get("server", [collection, id])) as ServerRow | undefined;
    return row ? openServer(this.vault, row) : undefined;
  }

  // ---- the outbox -----------------------------------------------------------------------

  /** Every outbox entry, oldest first. */
  async outbox(): Promise<OutboxEntry[]> {
    const rows = (await this.db.idb.getAll("outbox")) as OutboxRow[];
    return Promise.all(rows.map((r) => openEntry(this.vault, r)));
  }

  async outboxEntry(qid: number): Promise<OutboxEntry | undefined> {
    const row = (await this.db.idb.get("outbox", qid)) as OutboxRow | undefined;
    return row ? openEntry(this.vault, row) : undefined;
  }

  /**
   * Queue one edit: the mutation (next seq, or merged into the last one while it is unsent and
   * for the same record) and the new local view are written in one transaction.
   */
  async edit(input: EditInput): Promise<OutboxEntry> {
    return this.db.write(async () => {
      const op = input.op ?? "put";
      const fields: Fields = op === "put" ? { ...(input.fields ?? {}) } : {};
      // 1. Read.
      const rtx = this.db.idb.transaction(["meta", "records", "outbox"], "readonly");
      const tx = rtx;
      const recordRow = (await tx.objectStore("records").get([input.collection, input.id])) as
        | RecordRow
        | undefined;
      const cursor = await tx.objectStore("outbox").openCursor(null, "prev");
      const lastRow = (cursor?.value as OutboxRow | undefined) ?? undefined;
      const nextSeq = (await tx.objectStore("meta").get(META.nextSeq)) as number;
      const epoch = (await tx.objectStore("meta").get(META.epoch)) as number;
      await tx.done;
      // 2. Open and compute.
      const record = recordRow ? await openRecord(this.vault, recordRow) : undefined;
      const last = lastRow ? await openEntry(this.vault, lastRow) : undefined;
      const at = input.at ?? new Date().toISOString();
      const baseRev = record ? record.base_rev : null;
      const visitId = input.visit_id ?? record?.visit_id ?? null;
      if (input.resolve && input.resolve.length > 0) fields[RESOLVE_KEY] = [...input.resolve];
      const canCoalesce =
        input.coalesce !== false &&
        op === "put" &&
        last !== undefined &&
        !last.sent &&
        last.state === "queued" &&
        last.epoch === epoch &&
        last.op === "put" &&
        last.collection === input.collection &&
        last.id === input.id &&
        last.base_rev === baseRev &&
        !(RESOLVE_KEY in last.fields) &&
        !(RESOLVE_KEY in fields);
      const entry: OutboxEntry = canCoalesce
        ? { ...(last as OutboxEntry), fields: { ...(last as OutboxEntry).fields, ...fields }, at }
        : {
            epoch,
            seq: nextSeq,
            collection: input.collection,
            id: input.id,
            op,
            base_rev: baseRev,
            fields,
            at,
            visit_id: visitId,
            sent: false,
            state: "queued",
            result: null,
            dismissed: false,
          };
      // What is queued is what the server will accept as a mutation (paths, values, at).
      parseMutation(wireOf(entry));
      let view: LocalRecord | null = null;
      if (op === "put") {
        const resolved = new Set(input.resolve ?? []);
        const viewFields = { ...(record?.fields ?? {}) };
        for (const [path, value] of Object.entries(fields)) {
          if (path !== RESOLVE_KEY) viewFields[path] = value;
        }
        view = {
          collection: input.collection,
          id: input.id,
          visit_id: visitId,
          base_rev: baseRev,
          fields: viewFields,
          conflicts: (record?.conflicts ?? []).filter((c) => !resolved.has(c.field)),
          pending: (record?.pending ?? 0) + (canCoalesce ? 0 : 1),
          updated_at: at,
        };
      }
      const entryRow = await sealEntry(this.vault, entry);
      const viewRow = view ? await sealRecord(this.vault, view) : null;
      // 3. Write, all or nothing.
      let qid = 0;
      await this.db.atomically(["meta", "records", "outbox", "drafts"], async (wtx) => {
        qid = (await wtx.objectStore("outbox").put(entryRow)) as number;
        if (!canCoalesce) await wtx.objectStore("meta").put(nextSeq + 1, META.nextSeq);
        if (viewRow) await wtx.objectStore("records").put(viewRow);
        else await wtx.objectStore("records").delete([input.collection, input.id]);
        // A value now queued replaces any unsaved draft of the same field.
        for (const path of Object.keys(fields)) {
          if (path !== RESOLVE_KEY) await wtx.objectStore("drafts").delete([input.collection, input.id, path]);
        }
      });
      return { ...entry, qid };
    });
  }

  /**
   * The next batch to push: entries of the current sync identity without a result, in seq
   * order, at most `maxCount` and under `maxBytes` of JSON. They are marked sent (frozen) in
   * the same locked step, so no edit can coalesce into them afterwards.
   */
  async takeBatch(maxCount: number, maxBytes: number): Promise<OutboxEntry[]> {
    return this.db.write(async () => {
      const epoch = await this.meta.get<number>(META.epoch);
      const all = (await this.outbox())
        .filter((e) => e.epoch === epoch && e.state === "queued")
        .sort((a, b) => a.seq - b.seq);
      const batch: OutboxEntry[] = [];
      let bytes = 64;
      for (const e of all) {
        const size = utf8Length(JSON.stringify(wireOf(e))) + 1;
        if (batch.length >= maxCount || (batch.length > 0 && bytes + size > maxBytes)) break;
        if (batch.length > 0 && e.seq !== (batch[batch.length - 1] as OutboxEntry).seq + 1) break;
        batch.push(e);
        bytes += size;
      }
      const unsent = batch.filter((e) => !e.sent);
      if (unsent.length > 0) {
        const rows = await Promise.all(unsent.map((e) => sealEntry(this.vault, { ...e, sent: true })));
        await this.db.atomically(["outbox"], async (tx) => {
          for (const row of rows) await tx.objectStore("outbox").put(row);
        });
      }
      return batch.map((e) => ({ ...e, sent: true }));
    });
  }

  /**
   * Record a push answer: results for the mutations sent, acknowledgement up to `lastSeq`.
   * Rejected entries are kept (state "rejected") and drop out of the local view.
   */
  async recordPush(lastSeq: number, results: PushResult[]): Promise<void> {
    await this.db.write(async () => {
      const epoch = await this.meta.get<number>(META.epoch);
      const reflected = (await this.meta.get<number>(META.reflectedSeq)) ?? 0;
      const bySeq = new Map(results.filter((r) => r.seq <= lastSeq).map((r) => [r.seq, r]));
      const entries = await this.outbox();
      const changed: OutboxEntry[] = [];
      const removed: OutboxEntry[] = [];
      for (const e of entries) {
        if (e.epoch !== epoch) continue;
        const r = bySeq.get(e.seq);
        if (!r || e.state !== "queued") continue;
        const updated: OutboxEntry = { ...e, state: r.status === "rejected" ? "rejected" : "accepted", result: r };
        if (updated.state === "accepted" && updated.seq <= reflected) removed.push(updated);
        else changed.push(updated);
      }
      const acked = Math.max((await this.meta.get<number>(META.ackedSeq)) ?? 0, lastSeq);
      const keys = [...changed, ...removed].map((e) => [e.collection, e.id] as Key);
      await this.commitOutboxChange(changed, removed, keys, { [META.ackedSeq]: acked });
    });
  }

  /** Write outbox updates/removals and rebuild the affected views, in one transaction. */
  private async commitOutboxChange(
    changed: OutboxEntry[],
    removed: OutboxEntry[],
    keys: Key[],
    meta: Partial<Record<MetaKey, unknown>>,
  ): Promise<void> {
    const entries = await this.outbox();
    const byQid = new Map(entries.map((e) => [e.qid, e]));
    for (const e of changed) byQid.set(e.qid, e);
    for (const e of removed) byQid.delete(e.qid);
    const reflected = (meta[META.reflectedSeq] as number | undefined) ?? (await this.meta.get<number>(META.reflectedSeq)) ?? 0;
    const epoch = (await this.meta.get<number>(META.epoch)) as number;
    const views = await this.rebuildViews(uniqueKeys(keys), [...byQid.values()], reflected, epoch, new Map());
    const rows = await Promise.all(changed.map((e) => sealEntry(this.vault, e)));
    await this.db.atomically(["meta", "records", "outbox"], async (tx) => {
      for (const row of rows) await tx.objectStore("outbox").put(row);
      for (const e of removed) await tx.objectStore("outbox").delete(e.qid as number);
      await this.writeViews(tx, views);
      for (const [k, v] of Object.entries(meta)) await tx.objectStore("meta").put(v, k);
    });
  }

  /** Compute (outside any transaction) the new views for `keys`. */
  private async rebuildViews(
    keys: Key[],
    entries: OutboxEntry[],
    reflected: number,
    epoch: number,
    serverOverride: Map<string, ServerCopy | null>,
  ): Promise<Map<string, { key: Key; row: RecordRow | null }>> {
    const now = new Date().toISOString();
    const out = new Map<string, { key: Key; row: RecordRow | null }>();
    for (const key of keys) {
      const k = keyOf(...key);
      let server: ServerCopy | undefined;
      if (serverOverride.has(k)) server = serverOverride.get(k) ?? undefined;
      else server = await this.getServerCopy(...key);
      // Entries of an earlier sync identity are never overlaid (see renumber()).
      const mine = entries.filter((e) => e.collection === key[0] && e.id === key[1] && e.epoch === epoch);
      const view = rebase(server, mine, reflected, now);
      out.set(k, { key, row: view ? await sealRecord(this.vault, view) : null });
    }
    return out;
  }

  private async writeViews(tx: AnyTx, views: Map<string, { key: Key; row: RecordRow | null }>): Promise<void> {
    const records = tx.objectStore("records");
    for (const { key, row } of views.values()) {
      if (row) await records.put(row);
      else await records.delete(key);
    }
  }

  /**
   * Apply one pull page: server copies, tombstones, the cursor, what the pull acknowledges
   * (`last_seq`: accepted mutations up to it are reflected and leave the outbox), photo blobs
   * the server has verified, and the rebuilt views of every record touched.
   */
  async applyPull(pulled: PullPage): Promise<void> {
    await this.db.write(async () => {
      // Purged visits stay purged: their changes only update the stub, unless the visit was
      // reopened (then it comes back whole: META.repull asks the app to pull everything again).
      const stubs = (await this.meta.getSealed<VisitStub[]>(META.purgedVisits)) ?? [];
      const stubbed = applyToStubs(stubs, pulled.changes);
      const page: PullPage = { ...pulled, changes: stubbed.changes };
      const epoch = (await this.meta.get<number>(META.epoch)) as number;
      const reflected = Math.max((await this.meta.get<number>(META.reflectedSeq)) ?? 0, page.last_seq);
      const acked = Math.max((await this.meta.get<number>(META.ackedSeq)) ?? 0, page.last_seq);
      const entries = await this.outbox();
      const removed = entries.filter((e) => e.epoch === epoch && e.state === "accepted" && e.seq <= reflected);
      const keys: Key[] = [...page.changes.map((c) => [c.collection, c.id] as Key), ...removed.map((e) => [e.collection, e.id] as Key)];
      const override = new Map<string, ServerCopy | null>();
      if (page.reset) {
        // The server restarted the feed: every cached server copy is replaced.
        const allServer = (await this.db.idb.getAllKeys("server")) as unknown as Key[];
        const allRecords = (await this.db.idb.getAllKeys("records")) as unknown as Key[];
        for (const k of [...allServer, ...allRecords]) {
          keys.push(k);
          override.set(keyOf(...k), null);
        }
      }
      const serverRows: ServerRow[] = [];
      const verifiedPhotos: string[] = [];
      for (const c of page.changes) {
        const record = c.record ?? {};
        const visitId =
          c.collection === "visits" ? c.id : typeof record["visit_id"] === "string" ? (record["visit_id"] as string) : null;
        const copy: ServerCopy = {
          collection: c.collection,
          id: c.id,
          visit_id: visitId,
          rev: c.rev,
          deleted: c.deleted,
          record: c.deleted ? {} : record,
          conflicts: c.deleted ? [] : (c.conflicts ?? []),
        };
        override.set(keyOf(c.collection, c.id), copy);
        serverRows.push(await sealServer(this.vault, copy));
        if (c.collection === "photos" && (c.deleted || record["upload.status"] === "verified")) {
          verifiedPhotos.push(c.id);
        }
      }
      const removedQids = new Set(removed.map((e) => e.qid));
      const remaining = entries.filter((e) => !removedQids.has(e.qid));
      const views = await this.rebuildViews(uniqueKeys(keys), remaining, reflected, epoch, override);
      const sealedStubs = stubbed.changed ? await this.vault.seal(stubbed.stubs, sealedAt.meta(META.purgedVisits)) : null;
      await this.db.atomically(["meta", "records", "outbox", "server", "photos", "tus"], async (tx) => {
      if (page.reset) await tx.objectStore("server").clear();
      for (const row of serverRows) await tx.objectStore("server").put(row);
      for (const e of removed) await tx.objectStore("outbox").delete(e.qid as number);
      await this.writeViews(tx, views);
      // The server holds verified originals: the phone keeps only what the officer still needs.
      for (const id of verifiedPhotos) {
        await tx.objectStore("photos").delete(id);
        const tusKeys = await tx.objectStore("tus").index("fingerprint").getAllKeys(photoFingerprint(id));
        for (const k of tusKeys) await tx.objectStore("tus").delete(k);
      }
      await tx.objectStore("meta").put(page.cursor, META.cursor);
      await tx.objectStore("meta").put(reflected, META.reflectedSeq);
      await tx.objectStore("meta").put(acked, META.ackedSeq);
      if (sealedStubs !== null) await tx.objectStore("meta").put(sealedStubs, META.purgedVisits);
      if (stubbed.reopened) await tx.objectStore("meta").put(true, META.repull);
      });
    });
  }

  /** Mark a rejected entry as dealt with (it stays in the outbox for the record). */
  async dismiss(qid: number): Promise<void> {
    await this.db.write(async () => {
      const e = await this.outboxEntry(qid);
      if (!e) return;
      await this.commitOutboxChange([{ ...e, dismissed: true }], [], [[e.collection, e.id]], {});
    });
  }

  /**
   * seq_gap (PROTOCOL 11.8): the server expects `expected`. If every mutation from there on is
   * still held, mark them to be sent again (content unchanged) and return true; otherwise the
   * sequence is broken: return false and change nothing.
   */
  async resendFrom(expected: number): Promise<boolean> {
    return this.db.write(async () => {
      const epoch = await this.meta.get<number>(META.epoch);
      const mine = (await this.outbox()).filter((e) => e.epoch === epoch).sort((a, b) => a.seq - b.seq);
      const from = mine.filter((e) => e.seq >= expected);
      const firstQueued = mine.find((e) => e.state === "queued");
      const until = firstQueued ? firstQueued.seq : ((await this.meta.get<number>(META.nextSeq)) as number);
      for (let s = expected; s < until; s += 1) {
        if (!from.some((e) => e.seq === s)) return false;
      }
      const again = from.filter((e) => e.seq < until).map((e) => ({ ...e, state: "queued" as const, result: null }));
      const rows = await Promise.all(again.map((e) => sealEntry(this.vault, e)));
      await this.db.atomically(["outbox", "meta"], async (tx) => {
        for (const row of rows) await tx.objectStore("outbox").put(row);
        await tx.objectStore("meta").put(expected - 1, META.ackedSeq);
      });
      return true;
    });
  }

  /**
   * Recover a broken sequence (seq_reused, or a gap whose mutations are gone): a new client_id,
   * and every unacknowledged mutation renumbered from 1 under it. Rejected entries are kept for
   * the officer; accepted ones are already on the server. The feed is pulled again from the start.
   */
  async renumber(): Promise<void> {
    await this.db.write(async () => {
      const oldEpoch = (await this.meta.get<number>(META.epoch)) as number;
      const entries = await this.outbox();
      const queued = entries.filter((e) => e.epoch === oldEpoch && e.state === "queued").sort((a, b) => a.seq - b.seq);
      const accepted = entries.filter((e) => e.state === "accepted");
      const epoch = oldEpoch + 1;
      const renumbered = queued.map((e, i) => ({ ...e, epoch, seq: i + 1, sent: false }));
      const rows = await Promise.all(renumbered.map((e) => sealEntry(this.vault, e)));
      await this.db.atomically(["outbox", "meta"], async (tx) => {
        for (const row of rows) await tx.objectStore("outbox").put(row);
        for (const e of accepted) await tx.objectStore("outbox").delete(e.qid as number);
        const meta = tx.objectStore("meta");
        await putSyncIdentity(meta, epoch, renumbered.length + 1);
        await meta.delete(META.cursor);
        await meta.delete(META.seqBroken);
      });
    });
  }

  // ---- drafts: what the officer typed that is not yet a valid value ----------------------

  async setDraft(collection: CollectionName, id: string, path: string, text: string): Promise<void> {
    const sealed = await this.vault.seal(text, sealedAt.draft(collection, id, path));
    await this.db.write(() => this.db.idb.put("drafts", { collection, id, path, sealed } satisfies DraftRow).then(() => undefined));
  }

  async clearDraft(collection: CollectionName, id: string, path: string): Promise<void> {
    await this.db.write(() => this.db.idb.delete("drafts", [collection, id, path]));
  }

  async drafts(collection: CollectionName, id: string): Promise<Record<string, string>> {
    const range = draftsRange(collection, id);
    const rows = (await this.db.idb.getAll("drafts", range)) as DraftRow[];
    const out: Record<string, string> = {};
    for (const r of rows) out[r.path] = await this.vault.open<string>(r.sealed, `drafts/${r.collection}/${r.id}/${r.path}`);
    return out;
  }

  async allDrafts(): Promise<{ collection: CollectionName; id: string; path: string }[]> {
    const rows = (await this.db.idb.getAll("drafts")) as DraftRow[];
    return rows.map(({ collection, id, path }) => ({ collection, id, path }));
  }

  // ---- photo blobs ----------------------------------------------------------------------

  async putPhoto(entry: PhotoBlobEntry): Promise<void> {
    const blob = await this.vault.sealBlob(entry.blob, sealedAt.photo(entry.id));
    await this.db.write(() => this.db.idb.put("photos", { ...entry, blob } satisfies PhotoRow).then(() => undefined));
  }

  async getPhoto(id: string): Promise<PhotoBlobEntry | undefined> {
    const row = (await this.db.idb.get("photos", id)) as PhotoRow | undefined;
    return row ? { ...row, blob: await this.vault.openBlob(row.blob, sealedAt.photo(row.id)) } : undefined;
  }

  /** Photo bookkeeping without the bytes. */
  async photoStates(): Promise<Omit<PhotoBlobEntry, "blob">[]> {
    const rows = (await this.db.idb.getAll("photos")) as PhotoRow[];
    return rows.map(({ blob: _b, ...rest }) => rest);
  }

  async updatePhoto(id: string, patch: Partial<Omit<PhotoBlobEntry, "blob" | "id">>): Promise<void> {
    await this.db.write(async () => {
      const tx = this.db.idb.transaction("photos", "readwrite");
      const row = (await tx.store.get(id)) as PhotoRow | undefined;
      if (row) await tx.store.put({ ...row, ...patch });
      await tx.done;
    });
  }

  // ---- tus resume URLs (tus-js-client's UrlStorage) -------------------------------------

  async tusFind(fingerprint?: string): Promise<TusUrlRecord[]> {
    if (fingerprint === undefined) return (await this.db.idb.getAll("tus")) as TusUrlRecord[];
    return (await this.db.idb.getAllFromIndex("tus", "fingerprint", fingerprint)) as TusUrlRecord[];
  }

  async tusAdd(record: TusUrlRecord): Promise<void> {
    await this.db.write(() => this.db.idb.put("tus", record).then(() => undefined));
  }

  async tusRemove(key: string): Promise<void> {
    await this.db.write(() => this.db.idb.delete("tus", key));
  }

  // ---- counts for the sync bar ----------------------------------------------------------

  async counts(): Promise<{ waiting: number; rejected: number; photosWaiting: number; photoBytesWaiting: number }> {
    // Only clear bookkeeping is read: the counts are shown on the lock screen too.
    const epoch = await this.meta.get<number>(META.epoch);
    const entries = (await this.db.idb.getAll("outbox")) as OutboxRow[];
    const photos = await this.photoStates();
    const waiting = photos.filter((p) => p.upload_state !== "verified");
    return {
      waiting: entries.filter((e) => e.state === "queued" && e.epoch === epoch).length,
      rejected: entries.filter((e) => e.state === "rejected" && !e.dismissed).length,
      photosWaiting: waiting.length,
      photoBytesWaiting: waiting.reduce((n, p) => n + Math.max(0, p.byte_size - (p.upload_state === "uploaded" ? p.byte_size : p.upload_offset)), 0),
    };
  }

  // ---- device encryption: the vault configuration -------------------------------------

  /** The vault configuration (clear: wrapped key and public parameters), if any. */
  async vaultConfig<T>(): Promise<T | undefined> {
    return this.meta.get<T>(META.vault);
  }

  async setVaultConfig(config: unknown): Promise<void> {
    await this.meta.set(META.vault, config);
  }

  /** Crypto-shredding: without this row nothing sealed on the phone can be opened again. */
  async deleteVaultConfig(): Promise<void> {
    await this.meta.delete(META.vault);
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

  // ---- purge: what the server has confirmed leaves the phone ------------------------------

  /** Stubs of the visits this phone has purged (newest first). */
  async stubs(): Promise<VisitStub[]> {
    const stubs = (await this.meta.getSealed<VisitStub[]>(META.purgedVisits)) ?? [];
    return [...stubs].sort((a, b) => b.purged_at.localeCompare(a.purged_at));
  }

  /**
   * Look at every visit the server holds a copy of: note when it became eligible for purging
   * (purge.ts), and purge those eligible for at least `graceMs`. Returns the purged visit ids.
   */
  async purgeDue(graceMs: number, now: number = Date.now()): Promise<string[]> {
    return this.db.write(async () => {
      const seen = { ...((await this.meta.get<Record<string, number>>(META.purgeSeen)) ?? {}) };
      const range = IDBKeyRange.bound(["visits", ""], ["visits", "\uffff"]);
      const visitRows = (await this.db.idb.getAll("server", range)) as ServerRow[];
      const outboxRows = (await this.db.idb.getAll("outbox")) as OutboxRow[];
      const draftRows = (await this.db.idb.getAll("drafts")) as DraftRow[];
      const due: { id: string; record: Fields }[] = [];
      const eligible = new Set<string>();
      for (const row of visitRows) {
        const visit = await openServer(this.vault, row);
        const status = visit.record["status"];
        if (visit.deleted || typeof status !== "string" || !TERMINAL_STATUSES.has(status)) continue;
        const childRows = ((await this.db.idb.getAllFromIndex("server", "visit_id", row.id)) as ServerRow[]).filter(
          (r) => !(r.collection === "visits" && r.id === row.id),
        );
        const children = await Promise.all(childRows.map((r) => openServer(this.vault, r)));
        const viewRows = (await this.db.idb.getAllFromIndex("records", "visit_id", row.id)) as RecordRow[];
        const views = await Promise.all(viewRows.map((r) => openRecord(this.vault, r)));
        const keys = new Set([`visits/${row.id}`, ...children.map((c) => keyOf(c.collection, c.id)), ...views.map((v) => keyOf(v.collection, v.id))]);
        const photoBlobs = (await this.db.idb.getAllKeysFromIndex("photos", "visit_id", row.id)).length;
        const blockers = purgeBlockers({
          visit,
          children,
          views,
          outboxEntries: outboxRows.filter((e) => e.visit_id === row.id || keys.has(keyOf(e.collection, e.id))).length,
          photoBlobs,
          drafts: draftRows.filter((d) => keys.has(keyOf(d.collection, d.id))).length,
        });
        if (blockers.length > 0) continue;
        eligible.add(row.id);
        const since = seen[row.id] ?? now;
        seen[row.id] = since;
        if (purgeDue(since, now, graceMs)) due.push({ id: row.id, record: visit.record });
      }
      for (const id of Object.keys(seen)) if (!eligible.has(id)) delete seen[id];
      for (const d of due) delete seen[d.id];
      if (due.length === 0) {
        await this.db.atomically(["meta"], async (tx) => {
          await tx.objectStore("meta").put(seen, META.purgeSeen);
        });
        return [];
      }
      const purgedAt = new Date(now).toISOString();
      const previous = ((await this.meta.getSealed<VisitStub[]>(META.purgedVisits)) ?? []).filter((s) => !due.some((d) => d.id === s.id));
      const stubs = [...previous, ...due.map((d) => stubOf(d.id, d.record, purgedAt))];
      const sealedStubs = await this.vault.seal(stubs, sealedAt.meta(META.purgedVisits));
      await this.db.atomically(["meta", "records", "server", "drafts", "photos", "tus"], async (tx) => {
        for (const { id } of due) {
          const serverKeys = (await tx.objectStore("server").index("visit_id").getAllKeys(id)) as unknown as Key[];
          for (const k of serverKeys) await tx.objectStore("server").delete(k);
          await tx.objectStore("server").delete(["visits", id]);
          const recordKeys = (await tx.objectStore("records").index("visit_id").getAllKeys(id)) as unknown as Key[];
          for (const k of recordKeys) {
            await tx.objectStore("records").delete(k);
            await tx.objectStore("drafts").delete(draftsRange(k[0], k[1]));
          }
          await tx.objectStore("records").delete(["visits", id]);
          const photoIds = (await tx.objectStore("photos").index("visit_id").getAllKeys(id)) as string[];
          for (const pid of photoIds) await tx.objectStore("photos").delete(pid);
          for (const k of serverKeys.filter((k) => k[0] === "photos")) {
            const tusKeys = await tx.objectStore("tus").index("fingerprint").getAllKeys(photoFingerprint(k[1]));
            for (const t of tusKeys) await tx.objectStore("tus").delete(t);
          }
        }
        await tx.objectStore("meta").put(sealedStubs, META.purgedVisits);
        await tx.objectStore("meta").put(seen, META.purgeSeen);
      });
      return due.map((d) => d.id);
    });
  }

  /** Remove every database of this app from the device (revoked device, sign-out). */
  async wipe(): Promise<void> {
    await this.db.wipe();
  }
}

/**
 * Apply pulled changes to the stubs of purged visits. Changes for a purged visit are dropped
 * while it stays completed/approved (the stub takes the new status); a tombstone drops the
 * stub; any other status (returned for correction) drops the stub and lets the visit and its
 * changes in, and asks for a full pull so its child records come back too.
 */
export function applyToStubs(
  stubs: VisitStub[],
  changes: PullChange[],
): { stubs: VisitStub[]; changes: PullChange[]; changed: boolean; reopened: boolean } {
  if (stubs.length === 0) return { stubs, changes, changed: false, reopened: false };
  const byId = new Map(stubs.map((s) => [s.id, s]));
  const kept = new Set(byId.keys());
  const reopened = new Set<string>();
  let changed = false;
  for (const c of changes) {
    if (c.collection !== "visits" || !byId.has(c.id)) continue;
    const status = c.record?.["status"];
    if (c.deleted) {
      byId.delete(c.id);
      changed = true;
    } else if (typeof status === "string" && TERMINAL_STATUSES.has(status)) {
      const stub = byId.get(c.id) as VisitStub;
      if (stub.status !== status) {
        byId.set(c.id, { ...stub, status });
        changed = true;
      }
    } else {
      byId.delete(c.id);
      kept.delete(c.id);
      reopened.add(c.id);
      changed = true;
    }
  }
  const visitOf = (c: PullChange): string | null =>
    c.collection === "visits" ? c.id : typeof c.record?.["visit_id"] === "string" ? (c.record["visit_id"] as string) : null;
  const filtered = changes.filter((c) => {
    const v = visitOf(c);
    return v === null || !kept.has(v);
  });
  return { stubs: [...byId.values()], changes: filtered, changed, reopened: reopened.size > 0 };
}

const encoder = new TextEncoder();
function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

export function photoFingerprint(photoId: string): string {
  return `doorstep-photo-${photoId}`;
}

function uniqueKeys(keys: Key[]): Key[] {
  const seen = new Map<string, Key>();
  for (const k of keys) seen.set(keyOf(...k), k);
  return [...seen.values()];
}

/** A queued entry in the form it goes on the wire. */
export function wireOf(e: OutboxEntry): {
  seq: number;
  collection: CollectionName;
  id: string;
  op: "put" | "delete";
  base_rev: number | null;
  fields: Fields;
  at: string;
} {
  return { seq: e.seq, collection: e.collection, id: e.id, op: e.op, base_rev: e.base_rev, fields: e.fields, at: e.at };
}
