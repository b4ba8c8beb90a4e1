import { describe, expect, it } from "vitest";

import { Store, identityVault, type Vault } from "../../src/storage";
import { ITEM, VISIT, freshStore } from "../helpers/store";

describe("outbox", () => {
  it("numbers every mutation 1, 2, 3... across collections", async () => {
    const store = await freshStore();
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft" } });
    await store.outbox.enqueue({ collection: "property_items", id: ITEM, visit_id: VISIT, fields: { visit_id: VISIT, category: "phone" } });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    const entries = await store.outbox.list();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries.map((e) => e.collection)).toEqual(["visits", "property_items", "visits"]);
    expect(entries.every((e) => e.base_rev === null && e.state === "queued")).toBe(true);
    expect(entries[1]?.visit_id).toBe(VISIT);
  });

  it("coalesces consecutive edits of one record only while unsent", async () => {
    const store = await freshStore();
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "A" } });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "An" } });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    let entries = await store.outbox.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.fields).toEqual({ "victim.name": "Ann" });

    const batch = await store.outbox.takeBatch(200, 900_000);
    expect(batch.map((e) => e.seq)).toEqual([1]);
    const frozen = JSON.stringify((await store.outbox.list())[0]?.fields);

    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Anne" } });
    entries = await store.outbox.list();
    expect(entries.map((e) => e.seq)).toEqual([1, 2]);
    // Once sent, a queued mutation is never modified.
    expect(JSON.stringify(entries[0]?.fields)).toBe(frozen);
    expect(entries[0]?.sent).toBe(true);
    expect(entries[1]?.fields).toEqual({ "victim.name": "Anne" });
    expect((await store.records.get("visits", VISIT))?.fields["victim.name"]).toBe("Anne");
  });

  it("does not coalesce across records or into a resolution", async () => {
    const store = await freshStore();
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "A" } });
    await store.outbox.enqueue({ collection: "property_items", id: ITEM, visit_id: VISIT, fields: { visit_id: VISIT } });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "B" } });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "C" }, resolve: ["victim.name"] });
    expect((await store.outbox.list()).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("keeps rejected mutations, out of the view, until dismissed (and after)", async () => {
    const store = await freshStore();
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft" } });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "address.postcode": "NOPE" }, coalesce: false });
    await store.outbox.takeBatch(200, 900_000);
    await store.outbox.recordPush(2, [
      { seq: 1, status: "applied", rev: 1, error: null },
      { seq: 2, status: "rejected", rev: null, error: { code: "validation_failed", message: "bad postcode", details: { field: "address.postcode" } } },
    ]);
    const entries = await store.outbox.list();
    expect(entries.map((e) => [e.seq, e.state])).toEqual([[1, "accepted"], [2, "rejected"]]);
    expect((await store.records.get("visits", VISIT))?.fields).toEqual({ status: "draft" });
    expect((await store.counts()).rejected).toBe(1);

    // A pull acknowledging both removes the accepted one; the rejected one stays.
    await store.feed.apply({ cursor: "eyJuIjoxLCJ2IjoxfQ", has_more: false, last_seq: 2, changes: [
      { collection: "visits", id: VISIT, rev: 1, deleted: false, record: { status: "draft" }, conflicts: [] },
    ] });
    let left = await store.outbox.list();
    expect(left.map((e) => [e.seq, e.state])).toEqual([[2, "rejected"]]);
    await store.outbox.dismiss(left[0]?.qid as number);
    left = await store.outbox.list();
    expect(left).toHaveLength(1);
    expect(left[0]?.dismissed).toBe(true);
    expect((await store.counts()).rejected).toBe(0);
  });

  it("deleting a record queues a delete with the server copy's rev", async () => {
    const store = await freshStore();
    await store.feed.apply({ cursor: "eyJuIjoxLCJ2IjoxfQ", has_more: false, last_seq: 0, changes: [
      { collection: "property_items", id: ITEM, rev: 3, deleted: false, record: { visit_id: VISIT, category: "phone" }, conflicts: [] },
    ] });
    const e = await store.outbox.enqueue({ collection: "property_items", id: ITEM, visit_id: VISIT, op: "delete" });
    expect(e.base_rev).toBe(3);
    expect(e.fields).toEqual({});
    expect(await store.records.get("property_items", ITEM)).toBeUndefined();
  });

  it("commits the record change and the queued mutation together, or neither", async () => {
    const store = await freshStore();
    // An invalid path fails before anything is written: neither the view nor the outbox changes.
    await expect(store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "Victim.Name": "x" } })).rejects.toThrow();
    expect(await store.records.get("visits", VISIT)).toBeUndefined();
    expect(await store.outbox.list()).toHaveLength(0);
    expect(await store.meta.get("next_seq")).toBe(1);

    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    expect((await store.records.get("visits", VISIT))?.fields["victim.name"]).toBe("Ann");
    expect((await store.outbox.list()).map((e) => e.seq)).toEqual([1]);
    expect(await store.meta.get("next_seq")).toBe(2);
  });

  it("a failed write transaction leaves no half-applied edit", async () => {
    // A vault whose sealed local views cannot be stored (functions cannot be cloned), when told:
    // the records put then fails inside the write transaction, and nothing of it may remain.
    let breakViews = false;
    const vault: Vault = {
      ...identityVault,
      seal: (value, where) => Promise.resolve(breakViews && where.startsWith("records/") ? () => "functions cannot be cloned" : value),
    };
    const store = await Store.open(`half-${Math.random()}`, vault);
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    breakViews = true;
    await expect(store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.phone": "07700 900123" }, coalesce: false })).rejects.toThrow();
    breakViews = false;
    expect((await store.outbox.list()).map((e) => e.seq)).toEqual([1]);
    expect(await store.meta.get("next_seq")).toBe(2);
    expect((await store.records.get("visits", VISIT))?.fields).toEqual({ "victim.name": "Ann" });
  });
});
