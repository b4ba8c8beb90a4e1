import { describe, expect, it } from "vitest";

import { AesGcmVault, META, Store } from "../../src/storage";
import { HOUR, P1, P2, V1, V2, change } from "../helpers/pull";
import { dataKey } from "../helpers/store";

async function encryptedStore(): Promise<Store> {
  return Store.open(`purge-${Math.random()}`, new AesGcmVault(await dataKey()));
}

const visit = (status: string, ref: string, extra: Record<string, unknown> = {}) => ({
  status, "reference.crime_reference": ref, "attendance.arrived_at": "2026-11-23T08:30:00Z", "victim.name": "Margaret Ellis", ...extra,
});

describe("Purge.run", () => {
  it("purges a confirmed visit after the grace time and keeps a pending one", async () => {
    const store = await encryptedStore();
    await store.feed.apply({
      cursor: "c1", has_more: false, last_seq: 0,
      changes: [
        change("visits", V1, visit("completed", "22/1/26"), 3),
        change("photos", P1, { visit_id: V1, "upload.status": "verified", sha256: "a".repeat(64) }, 2),
        change("visits", V2, visit("completed", "22/2/26"), 3),
        change("photos", P2, { visit_id: V2, "upload.status": "received", sha256: "b".repeat(64) }, 2),
      ],
    });
    const t0 = Date.parse("2026-11-24T10:00:00Z");
    expect(await store.purge.run(HOUR, t0)).toEqual([]); // first seen eligible now
    expect(await store.purge.run(HOUR, t0 + HOUR - 1)).toEqual([]);
    expect(await store.purge.run(HOUR, t0 + HOUR)).toEqual([V1]);
    expect(await store.records.get("visits", V1)).toBeUndefined();
    expect(await store.records.serverCopy("visits", V1)).toBeUndefined();
    expect(await store.records.serverCopy("photos", P1)).toBeUndefined();
    expect(await store.records.ofVisit(V1)).toEqual([]);
    expect(await store.purge.stubs()).toEqual([{ id: V1, crime_reference: "22/1/26", status: "completed", date: "2026-11-23", purged_at: new Date(t0 + HOUR).toISOString() }]);
    // V2's photo is not verified: it stays, however long.
    expect(await store.purge.run(HOUR, t0 + 100 * HOUR)).toEqual([]);
    expect((await store.records.get("visits", V2))?.fields["victim.name"]).toBe("Margaret Ellis");

    // Verified later: the grace time starts then.
    await store.feed.apply({ cursor: "c2", has_more: false, last_seq: 0, changes: [change("photos", P2, { visit_id: V2, "upload.status": "verified" }, 3)] });
    const t1 = t0 + 101 * HOUR;
    expect(await store.purge.run(HOUR, t1)).toEqual([]);
    expect(await store.purge.run(HOUR, t1 + HOUR)).toEqual([V2]);
    await store.wipe();
  });

  it("never purges a visit with queued changes, a photo still on the phone, or a draft", async () => {
    const store = await encryptedStore();
    await store.feed.apply({ cursor: "c1", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("completed", "22/1/26"), 3), change("visits", V2, visit("approved", "22/2/26"), 3)] });
    await store.outbox.enqueue({ collection: "visits", id: V1, visit_id: V1, fields: { "victim.phone": "07700 900123" } });
    await store.drafts.set("visits", V2, "address.postcode", "WR3");
    const t0 = Date.now();
    await store.purge.run(0, t0);
    expect(await store.purge.run(0, t0 + 10 * HOUR)).toEqual([]);
    expect(await store.records.get("visits", V1)).toBeDefined();
    expect(await store.records.get("visits", V2)).toBeDefined();
    // Once the draft is gone, V2 goes (grace 0); V1 still has its queued change.
    await store.drafts.clear("visits", V2, "address.postcode");
    expect(await store.purge.run(0, t0 + 11 * HOUR)).toEqual([V2]);
    expect(await store.records.get("visits", V1)).toBeDefined();
    await store.wipe();
  });

  it("a later pull does not bring a purged visit back unless it was reopened", async () => {
    const store = await encryptedStore();
    await store.feed.apply({ cursor: "c1", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("completed", "22/1/26"), 3)] });
    expect(await store.purge.run(0, 1)).toEqual([V1]); // grace 0: at once
    await store.feed.apply({ cursor: "c2", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("approved", "22/1/26"), 4)] });
    expect(await store.records.get("visits", V1)).toBeUndefined();
    expect((await store.purge.stubs())[0]?.status).toBe("approved");
    expect(await store.meta.get(META.repull)).toBeUndefined();
    await store.feed.apply({ cursor: "c3", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("returned", "22/1/26", { "review.note": "Add the kit" }), 5)] });
    expect((await store.records.get("visits", V1))?.fields["status"]).toBe("returned");
    expect(await store.purge.stubs()).toEqual([]);
    expect(await store.meta.get(META.repull)).toBe(true);
    await store.wipe();
  });
});
