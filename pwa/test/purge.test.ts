import { describe, expect, it } from "vitest";

import { AesGcmVault, META, Store, applyToStubs, type PullChange } from "../src/storage";
import { purgeBlockers, purgeDue, stubOf, type PurgeFacts } from "../src/storage/purge";
import { lockIdleMs, purgeGraceMs, withoutPrf, SHORTER_PURGE_KEY } from "../src/crypto/lock";
import type { Profile } from "../src/model/types";

const V1 = "11111111-1111-4111-8111-111111111111";
const V2 = "22222222-2222-4222-8222-222222222222";
const P1 = "33333333-3333-4333-8333-333333333333";
const P2 = "44444444-4444-4444-8444-444444444444";
const HOUR = 3_600_000;

function facts(patch: Partial<PurgeFacts> = {}): PurgeFacts {
  return {
    visit: { deleted: false, record: { status: "completed" }, conflicts: [] },
    children: [{ collection: "photos", id: P1, deleted: false, record: { "upload.status": "verified" }, conflicts: [] }],
    views: [{ pending: 0, conflicts: [] }],
    outboxEntries: 0,
    photoBlobs: 0,
    drafts: 0,
    ...patch,
  };
}

describe("purge rules", () => {
  it("a completed or approved visit, photos verified, nothing waiting, may go", () => {
    expect(purgeBlockers(facts())).toEqual([]);
    expect(purgeBlockers(facts({ visit: { deleted: false, record: { status: "approved" }, conflicts: [] } }))).toEqual([]);
  });

  it("anything still the officer's keeps it", () => {
    const conflict = { field: "victim.name", yours: "a", theirs: "b", at: "" } as never;
    expect(purgeBlockers(facts({ visit: { deleted: false, record: { status: "draft" }, conflicts: [] } }))).toEqual(["status draft"]);
    expect(purgeBlockers(facts({ visit: { deleted: false, record: { status: "returned" }, conflicts: [] } }))).toEqual(["status returned"]);
    expect(purgeBlockers(facts({ children: [{ collection: "photos", id: P1, deleted: false, record: { "upload.status": "received" }, conflicts: [] }] }))).toEqual([`photo ${P1} not verified`]);
    expect(purgeBlockers(facts({ outboxEntries: 1 }))).toEqual(["changes in the outbox"]);
    expect(purgeBlockers(facts({ photoBlobs: 1 }))).toEqual(["photo bytes on the phone"]);
    expect(purgeBlockers(facts({ drafts: 2 }))).toEqual(["unsaved drafts"]);
    expect(purgeBlockers(facts({ views: [{ pending: 1, conflicts: [] }] }))).toEqual(["local edits pending"]);
    expect(purgeBlockers(facts({ views: [{ pending: 0, conflicts: [conflict] }] }))).toEqual(["conflicts to resolve"]);
    expect(purgeBlockers(facts({ visit: null }))).toEqual(["not on the server"]);
    // A deleted photo does not hold the visit back.
    expect(purgeBlockers(facts({ children: [{ collection: "photos", id: P1, deleted: true, record: {}, conflicts: [] }] }))).toEqual([]);
  });

  it("waits the grace time from when it was first seen eligible", () => {
    expect(purgeDue(1000, 1000 + 24 * HOUR - 1, 24 * HOUR)).toBe(false);
    expect(purgeDue(1000, 1000 + 24 * HOUR, 24 * HOUR)).toBe(true);
  });

  it("the stub keeps the crime reference, status and day only", () => {
    const stub = stubOf(V1, { status: "approved", "reference.crime_reference": "22/50001/26", "attendance.arrived_at": "2026-11-23T08:30:00Z", "victim.name": "Ann", "address.postcode": "WR3 8JE" }, "2026-11-24T09:00:00.000Z");
    expect(stub).toEqual({ id: V1, crime_reference: "22/50001/26", status: "approved", date: "2026-11-23", purged_at: "2026-11-24T09:00:00.000Z" });
  });

  it("settings: server values, defaults, and local values that can only shorten", () => {
    const profile = { settings: { device_lock_idle_seconds: 120, device_purge_grace_seconds: 3600, device_without_prf: "online_only" } } as unknown as Profile;
    expect(lockIdleMs(profile)).toBe(120_000);
    expect(lockIdleMs(null)).toBe(300_000);
    expect(purgeGraceMs(profile)).toBe(3_600_000);
    expect(purgeGraceMs(null)).toBe(24 * HOUR);
    expect(withoutPrf(profile)).toBe("online_only");
    expect(withoutPrf(null)).toBe("pin");
    const storage = new Map<string, string>();
    (globalThis as { localStorage?: unknown }).localStorage = { getItem: (k: string) => storage.get(k) ?? null };
    try {
      storage.set(SHORTER_PURGE_KEY, "2");
      expect(purgeGraceMs(profile)).toBe(2000);
      storage.set(SHORTER_PURGE_KEY, "999999");
      expect(purgeGraceMs(profile)).toBe(3_600_000); // never longer than the server's value
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});

const change = (collection: PullChange["collection"], id: string, record: Record<string, unknown> | null, rev = 1, deleted = false): PullChange =>
  ({ collection, id, rev, deleted, record: record as never, conflicts: [] });

describe("stubs and later pulls", () => {
  const stub = { id: V1, crime_reference: "22/1/26", status: "completed", date: "2026-11-23", purged_at: "2026-11-24T00:00:00Z" };
  it("a purged visit's changes only update its stub while it stays completed or approved", () => {
    const out = applyToStubs([stub], [change("visits", V1, { status: "approved" }, 5), change("photos", P1, { visit_id: V1 }), change("visits", V2, { status: "draft" })]);
    expect(out.stubs).toEqual([{ ...stub, status: "approved" }]);
    expect(out.changes.map((c) => c.id)).toEqual([V2]);
    expect(out.reopened).toBe(false);
  });
  it("a reopened visit comes back, with a full pull asked for", () => {
    const out = applyToStubs([stub], [change("photos", P1, { visit_id: V1 }), change("visits", V1, { status: "returned" }, 6)]);
    expect(out.stubs).toEqual([]);
    expect(out.changes.map((c) => c.id)).toEqual([P1, V1]);
    expect(out.reopened).toBe(true);
  });
  it("a deleted visit drops its stub", () => {
    const out = applyToStubs([stub], [change("visits", V1, null, 7, true)]);
    expect(out.stubs).toEqual([]);
    expect(out.changes).toEqual([]);
  });
});

async function encryptedStore(): Promise<Store> {
  const key = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])) as CryptoKey;
  return Store.open(`purge-${Math.random()}`, new AesGcmVault(key));
}

const visit = (status: string, ref: string, extra: Record<string, unknown> = {}) => ({
  status, "reference.crime_reference": ref, "attendance.arrived_at": "2026-11-23T08:30:00Z", "victim.name": "Margaret Ellis", ...extra,
});

describe("Store.purgeDue", () => {
  it("purges a confirmed visit after the grace time and keeps a pending one", async () => {
    const store = await encryptedStore();
    await store.applyPull({
      cursor: "c1", has_more: false, last_seq: 0,
      changes: [
        change("visits", V1, visit("completed", "22/1/26"), 3),
        change("photos", P1, { visit_id: V1, "upload.status": "verified", sha256: "a".repeat(64) }, 2),
        change("visits", V2, visit("completed", "22/2/26"), 3),
        change("photos", P2, { visit_id: V2, "upload.status": "received", sha256: "b".repeat(64) }, 2),
      ],
    });
    const t0 = Date.parse("2026-11-24T10:00:00Z");
    expect(await store.purgeDue(HOUR, t0)).toEqual([]); // first seen eligible now
    expect(await store.purgeDue(HOUR, t0 + HOUR - 1)).toEqual([]);
    expect(await store.purgeDue(HOUR, t0 + HOUR)).toEqual([V1]);
    expect(await store.getRecord("visits", V1)).toBeUndefined();
    expect(await store.getServerCopy("visits", V1)).toBeUndefined();
    expect(await store.getServerCopy("photos", P1)).toBeUndefined();
    expect(await store.recordsOfVisit(V1)).toEqual([]);
    expect(await store.stubs()).toEqual([{ id: V1, crime_reference: "22/1/26", status: "completed", date: "2026-11-23", purged_at: new Date(t0 + HOUR).toISOString() }]);
    // V2's photo is not verified: it stays, however long.
    expect(await store.purgeDue(HOUR, t0 + 100 * HOUR)).toEqual([]);
    expect((await store.getRecord("visits", V2))?.fields["victim.name"]).toBe("Margaret Ellis");

    // Verified later: the grace time starts then.
    await store.applyPull({ cursor: "c2", has_more: false, last_seq: 0, changes: [change("photos", P2, { visit_id: V2, "upload.status": "verified" }, 3)] });
    const t1 = t0 + 101 * HOUR;
    expect(await store.purgeDue(HOUR, t1)).toEqual([]);
    expect(await store.purgeDue(HOUR, t1 + HOUR)).toEqual([V2]);
    await store.wipe();
  });

  it("never purges a visit with queued changes, a photo still on the phone, or a draft", async () => {
    const store = await encryptedStore();
    await store.applyPull({ cursor: "c1", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("completed", "22/1/26"), 3), change("visits", V2, visit("approved", "22/2/26"), 3)] });
    await store.edit({ collection: "visits", id: V1, visit_id: V1, fields: { "victim.phone": "07700 900123" } });
    await store.setDraft("visits", V2, "address.postcode", "WR3");
    const t0 = Date.now();
    await store.purgeDue(0, t0);
    expect(await store.purgeDue(0, t0 + 10 * HOUR)).toEqual([]);
    expect(await store.getRecord("visits", V1)).toBeDefined();
    expect(await store.getRecord("visits", V2)).toBeDefined();
    // Once the draft is gone, V2 goes (grace 0); V1 still has its queued change.
    await store.clearDraft("visits", V2, "address.postcode");
    expect(await store.purgeDue(0, t0 + 11 * HOUR)).toEqual([V2]);
    expect(await store.getRecord("visits", V1)).toBeDefined();
    await store.wipe();
  });

  it("a later pull does not bring a purged visit back unless it was reopened", async () => {
    const store = await encryptedStore();
    await store.applyPull({ cursor: "c1", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("completed", "22/1/26"), 3)] });
    expect(await store.purgeDue(0, 1)).toEqual([V1]); // grace 0: at once
    await store.applyPull({ cursor: "c2", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("approved", "22/1/26"), 4)] });
    expect(await store.getRecord("visits", V1)).toBeUndefined();
    expect((await store.stubs())[0]?.status).toBe("approved");
    expect(await store.getMeta(META.repull)).toBeUndefined();
    await store.applyPull({ cursor: "c3", has_more: false, last_seq: 0, changes: [change("visits", V1, visit("returned", "22/1/26", { "review.note": "Add the kit" }), 5)] });
    expect((await store.getRecord("visits", V1))?.fields["status"]).toBe("returned");
    expect(await store.stubs()).toEqual([]);
    expect(await store.getMeta(META.repull)).toBe(true);
    await store.wipe();
  });

  it("clearPersonalData forgets every record and starts a new sync identity", async () => {
    const store = await encryptedStore();
    await store.edit({ collection: "visits", id: V1, visit_id: V1, fields: { "victim.name": "Ann" } });
    const before = await store.clientId();
    await store.clearPersonalData();
    expect(await store.outbox()).toEqual([]);
    expect(await store.getRecord("visits", V1)).toBeUndefined();
    expect(await store.clientId()).not.toBe(before);
    expect(await store.getMeta("next_seq")).toBe(1);
    await store.wipe();
  });
});
