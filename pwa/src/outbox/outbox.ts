/**
 * The outbox: every edit the officer makes, queued as a mutation in seq order until the server
 * has it (PROTOCOL.md section 11). An edit writes the queued mutation, the next seq and the new
 * local view in ONE transaction, so a crash leaves all of it or none of it. What never happens
 * here: a mutation is never changed once it has been sent, and a rejected one is never dropped
 * (the officer dismisses it, and it stays).
 */

import type { OutboxEntry, PushResult } from "../model/types";
import type { Database } from "../db/database";
import { META, putSyncIdentity, type Meta } from "../db/meta";
import type { OutboxRow, RecordKey, RecordRow } from "../db/schema";
import { openEntry, openRecord, sealEntry, sealRecord } from "../db/sealing";
import { writeViews, type Records } from "../storage/records";
import { planEdit, type EditInput } from "./edit";
import { wireBytes } from "./wire";

export class Outbox {
  constructor(
    private readonly db: Database,
    private readonly meta: Meta,
    private readonly records: Records,
  ) {}

  /** Every outbox entry, oldest first. */
  async list(): Promise<OutboxEntry[]> {
    const rows = (await this.db.idb.getAll("outbox")) as OutboxRow[];
    return Promise.all(rows.map((r) => openEntry(this.db.vault, r)));
  }

  async get(qid: number): Promise<OutboxEntry | undefined> {
    const row = (await this.db.idb.get("outbox", qid)) as OutboxRow | undefined;
    return row ? openEntry(this.db.vault, row) : undefined;
  }

  /** Queue one edit (see edit.ts) with its new local view, in one transaction. */
  async enqueue(input: EditInput): Promise<OutboxEntry> {
    return this.db.write(async () => {
      // 1. Read.
      const tx = this.db.idb.transaction(["meta", "records", "outbox"], "readonly");
      const recordRow = (await tx.objectStore("records").get([input.collection, input.id])) as RecordRow | undefined;
      const cursor = await tx.objectStore("outbox").openCursor(null, "prev");
      const lastRow = (cursor?.value as OutboxRow | undefined) ?? undefined;
      const nextSeq = (await tx.objectStore("meta").get(META.nextSeq)) as number;
      const epoch = (await tx.objectStore("meta").get(META.epoch)) as number;
      await tx.done;
      // 2. Open, compute and seal.
      const record = recordRow ? await openRecord(this.db.vault, recordRow) : undefined;
      const last = lastRow ? await openEntry(this.db.vault, lastRow) : undefined;
      const { entry, coalesced, view, paths } = planEdit(input, record, last, nextSeq, epoch);
      const entryRow = await sealEntry(this.db.vault, entry);
      const viewRow = view ? await sealRecord(this.db.vault, view) : null;
      // 3. Write, all or nothing.
      let qid = 0;
      await this.db.atomically(["meta", "records", "outbox", "drafts"], async (wtx) => {
        qid = (await wtx.objectStore("outbox").put(entryRow)) as number;
        if (!coalesced) await wtx.objectStore("meta").put(nextSeq + 1, META.nextSeq);
        if (viewRow) await wtx.objectStore("records").put(viewRow);
        else await wtx.objectStore("records").delete([input.collection, input.id]);
        // A value now queued replaces any unsaved draft of the same field.
        for (const path of paths) await wtx.objectStore("drafts").delete([input.collection, input.id, path]);
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
      const all = (await this.list()).filter((e) => e.epoch === epoch && e.state === "queued").sort((a, b) => a.seq - b.seq);
      const batch: OutboxEntry[] = [];
      let bytes = 64; // the envelope
      for (const e of all) {
        const size = wireBytes(e) + 1;
        if (batch.length >= maxCount || (batch.length > 0 && bytes + size > maxBytes)) break;
        if (batch.length > 0 && e.seq !== (batch[batch.length - 1] as OutboxEntry).seq + 1) break;
        batch.push(e);
        bytes += size;
      }
      const unsent = batch.filter((e) => !e.sent);
      if (unsent.length > 0) {
        const rows = await Promise.all(unsent.map((e) => sealEntry(this.db.vault, { ...e, sent: true })));
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
      const entries = await this.list();
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
      await this.commit(changed, removed, acked);
    });
  }

  /** Mark a rejected entry as dealt with (it stays in the outbox for the record). */
  async dismiss(qid: number): Promise<void> {
    await this.db.write(async () => {
      const e = await this.get(qid);
      if (!e) return;
      await this.commit([{ ...e, dismissed: true }], [], null);
    });
  }

  /** Write entry updates and removals (and `acked_seq`) with the views they change, in one transaction. */
  private async commit(changed: OutboxEntry[], removed: OutboxEntry[], ackedSeq: number | null): Promise<void> {
    const byQid = new Map((await this.list()).map((e) => [e.qid, e]));
    for (const e of changed) byQid.set(e.qid, e);
    for (const e of removed) byQid.delete(e.qid);
    const reflected = (await this.meta.get<number>(META.reflectedSeq)) ?? 0;
    const epoch = (await this.meta.get<number>(META.epoch)) as number;
    const keys = [...changed, ...removed].map((e): RecordKey => [e.collection, e.id]);
    const views = await this.records.rebuild(keys, [...byQid.values()], reflected, epoch);
    const rows = await Promise.all(changed.map((e) => sealEntry(this.db.vault, e)));
    await this.db.atomically(["meta", "records", "outbox"], async (tx) => {
      for (const row of rows) await tx.objectStore("outbox").put(row);
      for (const e of removed) await tx.objectStore("outbox").delete(e.qid as number);
      await writeViews(tx, views);
      if (ackedSeq !== null) await tx.objectStore("meta").put(ackedSeq, META.ackedSeq);
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
      const mine = (await this.list()).filter((e) => e.epoch === epoch).sort((a, b) => a.seq - b.seq);
      const from = mine.filter((e) => e.seq >= expected);
      const firstQueued = mine.find((e) => e.state === "queued");
      const until = firstQueued ? firstQueued.seq : ((await this.meta.get<number>(META.nextSeq)) as number);
      for (let s = expected; s < until; s += 1) {
        if (!from.some((e) => e.seq === s)) return false;
      }
      const again = from.filter((e) => e.seq < until).map((e) => ({ ...e, state: "queued" as const, result: null }));
      const rows = await Promise.all(again.map((e) => sealEntry(this.db.vault, e)));
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
      const entries = await this.list();
      const queued = entries.filter((e) => e.epoch === oldEpoch && e.state === "queued").sort((a, b) => a.seq - b.seq);
      const accepted = entries.filter((e) => e.state === "accepted");
      const epoch = oldEpoch + 1;
      const renumbered = queued.map((e, i) => ({ ...e, epoch, seq: i + 1, sent: false }));
      const rows = await Promise.all(renumbered.map((e) => sealEntry(this.db.vault, e)));
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
}
