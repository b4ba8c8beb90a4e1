/**
 * Purging (rules.ts says when): a confirmed visit leaves the phone, with its child records,
 * drafts, photo bytes and upload URLs, in one transaction; a sealed stub stays.
 */

import type { ServerCopy } from "../model/types";
import type { Database, WriteTx } from "../db/database";
import { META, type Meta } from "../db/meta";
import { draftsRange, keyOf, type DraftRow, type OutboxRow, type RecordKey, type RecordRow, type ServerRow } from "../db/schema";
import { openRecord, openServer, sealedAt } from "../db/sealing";
import { deleteTusUrlsOf } from "../storage/photos";
import { purgeBlockers, purgeDue, stubOf, TERMINAL_STATUSES, type VisitStub } from "./rules";

export class Purge {
  constructor(
    private readonly db: Database,
    private readonly meta: Meta,
  ) {}

  /** Stubs of the visits this phone has purged (newest first). */
  async stubs(): Promise<VisitStub[]> {
    const stubs = (await this.meta.getSealed<VisitStub[]>(META.purgedVisits)) ?? [];
    return [...stubs].sort((a, b) => b.purged_at.localeCompare(a.purged_at));
  }

  /**
   * Look at every visit the server holds a copy of: note when it became eligible for purging
   * (rules.ts), and purge those eligible for at least `graceMs`. Returns the purged visit ids.
   */
  async run(graceMs: number, now: number = Date.now()): Promise<string[]> {
    return this.db.write(async () => {
      const seen = { ...((await this.meta.get<Record<string, number>>(META.purgeSeen)) ?? {}) };
      const eligible = await this.eligibleVisits();
      const due: ServerCopy[] = [];
      for (const visit of eligible) {
        const since = seen[visit.id] ?? now;
        seen[visit.id] = since;
        if (purgeDue(since, now, graceMs)) due.push(visit);
      }
      const eligibleIds = new Set(eligible.map((v) => v.id));
      for (const id of Object.keys(seen)) if (!eligibleIds.has(id)) delete seen[id];
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
      const sealedStubs = await this.db.vault.seal(stubs, sealedAt.meta(META.purgedVisits));
      await this.db.atomically(["meta", "records", "server", "drafts", "photos", "tus"], async (tx) => {
        for (const { id } of due) await deleteVisit(tx, id);
        await tx.objectStore("meta").put(sealedStubs, META.purgedVisits);
        await tx.objectStore("meta").put(seen, META.purgeSeen);
      });
      return due.map((d) => d.id);
    });
  }

  /** The server copies of the visits that nothing keeps on the phone any more. */
  private async eligibleVisits(): Promise<ServerCopy[]> {
    const range = IDBKeyRange.bound(["visits", ""], ["visits", "\uffff"]);
    const visitRows = (await this.db.idb.getAll("server", range)) as ServerRow[];
    const outboxRows = (await this.db.idb.getAll("outbox")) as OutboxRow[];
    const draftRows = (await this.db.idb.getAll("drafts")) as DraftRow[];
    const vault = this.db.vault;
    const eligible: ServerCopy[] = [];
    for (const row of visitRows) {
      const visit = await openServer(vault, row);
      const status = visit.record["status"];
      if (visit.deleted || typeof status !== "string" || !TERMINAL_STATUSES.has(status)) continue;
      const childRows = ((await this.db.idb.getAllFromIndex("server", "visit_id", row.id)) as ServerRow[]).filter(
        (r) => !(r.collection === "visits" && r.id === row.id),
      );
      const children = await Promise.all(childRows.map((r) => openServer(vault, r)));
      const viewRows = (await this.db.idb.getAllFromIndex("records", "visit_id", row.id)) as RecordRow[];
      const views = await Promise.all(viewRows.map((r) => openRecord(vault, r)));
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
      if (blockers.length === 0) eligible.push(visit);
    }
    return eligible;
  }
}

/** Delete a visit and everything of it, in the caller's transaction. */
async function deleteVisit(tx: WriteTx, id: string): Promise<void> {
  const serverKeys = (await tx.objectStore("server").index("visit_id").getAllKeys(id)) as unknown as RecordKey[];
  for (const k of serverKeys) await tx.objectStore("server").delete(k);
  await tx.objectStore("server").delete(["visits", id]);
  const recordKeys = (await tx.objectStore("records").index("visit_id").getAllKeys(id)) as unknown as RecordKey[];
  for (const k of recordKeys) {
    await tx.objectStore("records").delete(k);
    await tx.objectStore("drafts").delete(draftsRange(k[0], k[1]));
  }
  await tx.objectStore("records").delete(["visits", id]);
  const photoIds = (await tx.objectStore("photos").index("visit_id").getAllKeys(id)) as string[];
  for (const pid of photoIds) await tx.objectStore("photos").delete(pid);
  for (const k of serverKeys.filter((k) => k[0] === "photos")) await deleteTusUrlsOf(tx, k[1]);
}
