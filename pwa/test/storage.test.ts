import { describe, expect, it } from "vitest";

import { Store, identityVault, type Vault } from "../src/storage";
import { VISIT, freshStore } from "./helpers/store";

describe("storage", () => {
  it("keeps records, the outbox and photo blobs across a reopen", async () => {
    const name = `reopen-${Math.random()}`;
    let store = await Store.open(name);
    const clientId = await store.clientId();
    await store.edit({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft", "victim.name": "Ann Smith" } });
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    await store.putPhoto({
      id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", visit_id: VISIT, blob: new Blob([bytes], { type: "image/jpeg" }),
      sha256: "0".repeat(64), content_type: "image/jpeg", byte_size: bytes.length, taken_at: new Date().toISOString(),
      upload_state: "waiting", upload_offset: 0, upload_error: null, attempts: 0,
    });
    await store.setDraft("visits", VISIT, "address.postcode", "SW1A");
    store.close();

    store = await Store.open(name);
    expect(await store.clientId()).toBe(clientId);
    const rec = await store.getRecord("visits", VISIT);
    expect(rec?.fields).toEqual({ status: "draft", "victim.name": "Ann Smith" });
    expect(rec?.base_rev).toBeNull();
    const outbox = await store.outbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.seq).toBe(1);
    const photo = await store.getPhoto("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
    expect(new Uint8Array(await (photo?.blob as Blob).arrayBuffer())).toEqual(bytes);
    expect(photo?.blob.type).toBe("image/jpeg");
    expect(await store.drafts("visits", VISIT)).toEqual({ "address.postcode": "SW1A" });
    await store.wipe();
  });

  it("commits the record change and the queued mutation together, or neither", async () => {
    const store = await freshStore();
    // An invalid path fails before anything is written: neither the view nor the outbox changes.
    await expect(store.edit({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "Victim.Name": "x" } })).rejects.toThrow();
    expect(await store.getRecord("visits", VISIT)).toBeUndefined();
    expect(await store.outbox()).toHaveLength(0);
    expect(await store.getMeta("next_seq")).toBe(1);

    await store.edit({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    expect((await store.getRecord("visits", VISIT))?.fields["victim.name"]).toBe("Ann");
    expect((await store.outbox()).map((e) => e.seq)).toEqual([1]);
    expect(await store.getMeta("next_seq")).toBe(2);
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
    await store.edit({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    breakViews = true;
    await expect(store.edit({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.phone": "07700 900123" }, coalesce: false })).rejects.toThrow();
    breakViews = false;
    expect((await store.outbox()).map((e) => e.seq)).toEqual([1]);
    expect(await store.getMeta("next_seq")).toBe(2);
    expect((await store.getRecord("visits", VISIT))?.fields).toEqual({ "victim.name": "Ann" });
  });

  it("wipes everything", async () => {
    const name = `wipe-${Math.random()}`;
    const store = await Store.open(name);
    await store.edit({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    await store.wipe();
    const again = await Store.open(name);
    expect(await again.outbox()).toHaveLength(0);
    expect(await again.getRecord("visits", VISIT)).toBeUndefined();
  });
});
