/**
 * The change feed, applied (PROTOCOL.md section 8): each pull page writes the server copies,
 * tombstones, the cursor, what the pull acknowledges, and the rebuilt local views of every record
 * it touches, in ONE transaction.
 */

import type { ServerCopy } from "../model/types";
import type { Database } from "../db/database";
import { META, type Meta } from "../db/meta";
import { keyOf, type RecordKey, type ServerRow } from "../db/schema";
import { sealedAt, sealServer } from "../db/sealing";
import type { Outbox } from "../outbox/outbox";
import type { VisitStub } from "../purge/rules";
import { deleteTusUrlsOf } from "../storage/photos";
import { writeViews, type Records } from "../storage/records";
import { visitOf, type PullChange, type PullPage } from "./page";
import { applyToStubs } from "./stubs";

export class Feed {
  constructor(
    private readonly db: Database,
    private readonly meta: Meta,
    private readonly records: Records,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Apply one pull page: server copies, tombstones, the cursor, what the pull acknowledges
   * (`last_seq`: accepted mutations up to it are reflected and leave the outbox), photo blobs
   * the server has verified, and the rebuilt views of every record touched.
   */
  async apply(pulled: PullPage): Promise<void> {
    await this.db.write(async () => {
      // Purged visits stay purged: their changes only update the stub, unless the visit was
      // reopened (then it comes back whole: META.repull asks the app to pull everything again).
      const stubs = (await this.meta.getSealed<VisitStub[]>(META.purgedVisits)) ?? [];
      const stubbed = applyToStubs(stubs, pulled.changes);
      const page: PullPage = { ...pulled, changes: stubbed.changes };
      const epoch = (await this.meta.get<number>(META.epoch)) as number;
      const reflected = Math.max((await this.meta.get<number>(META.reflectedSeq)) ?? 0, page.last_seq);
      const acked = Math.max((await this.meta.get<number>(META.ackedSeq)) ?? 0, page.last_seq);
      const entries = await this.outbox.list();
      const removed = entries.filter((e) => e.epoch === epoch && e.state === "accepted" && e.seq <= reflected);
      const keys = [...page.changes, ...removed].map((c): RecordKey => [c.collection, c.id]);
      const override = new Map<string, ServerCopy | null>();
      if (page.reset) {
        // The server restarted the feed: every cached server copy is replaced.
        const allServer = (await this.db.idb.getAllKeys("server")) as unknown as RecordKey[];
        const allRecords = (await this.db.idb.getAllKeys("records")) as unknown as RecordKey[];
        for (const k of [...allServer, ...allRecords]) {
          keys.push(k);
          override.set(keyOf(...k), null);
        }
      }
      const serverRows: ServerRow[] = [];
      const verifiedPhotos: string[] = [];
      for (const c of page.changes) {
        const copy = serverCopyOf(c);
        override.set(keyOf(c.collection, c.id), copy);
        serverRows.push(await sealServer(this.db.vault, copy));
        if (c.collection === "photos" && (c.deleted || c.record?.["upload.status"] === "verified")) {
          verifiedPhotos.push(c.id);
        }
      }
      const removedQids = new Set(removed.map((e) => e.qid));
      const remaining = entries.filter((e) => !removedQids.has(e.qid));
      const views = await this.records.rebuild(keys, remaining, reflected, epoch, override);
      const sealedStubs = stubbed.changed ? await this.db.vault.seal(stubbed.stubs, sealedAt.meta(META.purgedVisits)) : null;
      await this.db.atomically(["meta", "records", "outbox", "server", "photos", "tus"], async (tx) => {
        if (page.reset) await tx.objectStore("server").clear();
        for (const row of serverRows) await tx.objectStore("server").put(row);
        for (const e of removed) await tx.objectStore("outbox").delete(e.qid as number);
        await writeViews(tx, views);
        // The server holds verified originals: the phone keeps only what the officer still needs.
        for (const id of verifiedPhotos) {
          await tx.objectStore("photos").delete(id);
          await deleteTusUrlsOf(tx, id);
        }
        const meta = tx.objectStore("meta");
        await meta.put(page.cursor, META.cursor);
        await meta.put(reflected, META.reflectedSeq);
        await meta.put(acked, META.ackedSeq);
        if (sealedStubs !== null) await meta.put(sealedStubs, META.purgedVisits);
        if (stubbed.reopened) await meta.put(true, META.repull);
      });
    });
  }
}

function serverCopyOf(c: PullChange): ServerCopy {
  return {
    collection: c.collection,
    id: c.id,
    visit_id: visitOf(c),
    rev: c.rev,
    deleted: c.deleted,
    record: c.deleted ? {} : (c.record ?? {}),
    conflicts: c.deleted ? [] : (c.conflicts ?? []),
  };
}
