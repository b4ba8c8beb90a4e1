import { describe, expect, it } from "vitest";

import { AesGcmVault, identityVault, Store } from "../../src/storage";
import { VISIT, dataKey } from "../helpers/store";

describe("Store", () => {
  it("keeps records, the outbox and photo blobs across a reopen", async () => {
    const name = `reopen-${Math.random()}`;
    let store = await Store.open(name, identityVault);
    const clientId = await store.meta.clientId();
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft", "victim.name": "Ann Smith" } });
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    await store.photos.put({
      id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", visit_id: VISIT, blob: new Blob([bytes], { type: "image/jpeg" }),
      sha256: "0".repeat(64), content_type: "image/jpeg", byte_size: bytes.length, taken_at: new Date().toISOString(),
      upload_state: "waiting", upload_offset: 0, upload_error: null, attempts: 0,
    });
    await store.drafts.set("visits", VISIT, "address.postcode", "SW1A");
    store.close();

    store = await Store.open(name, identityVault);
    expect(await store.meta.clientId()).toBe(clientId);
    const rec = await store.records.get("visits", VISIT);
    expect(rec?.fields).toEqual({ status: "draft", "victim.name": "Ann Smith" });
    expect(rec?.base_rev).toBeNull();
    const outbox = await store.outbox.list();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.seq).toBe(1);
    const photo = await store.photos.get("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
    expect(new Uint8Array(await (photo?.blob as Blob).arrayBuffer())).toEqual(bytes);
    expect(photo?.blob.type).toBe("image/jpeg");
    expect(await store.drafts.of("visits", VISIT)).toEqual({ "address.postcode": "SW1A" });
    await store.wipe();
  });

  it("wipes everything", async () => {
    const name = `wipe-${Math.random()}`;
    const store = await Store.open(name, identityVault);
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    await store.wipe();
    const again = await Store.open(name, identityVault);
    expect(await again.outbox.list()).toHaveLength(0);
    expect(await again.records.get("visits", VISIT)).toBeUndefined();
  });

  it("clearPersonalData forgets every record and starts a new sync identity", async () => {
    const store = await Store.open(`clear-${Math.random()}`, new AesGcmVault(await dataKey()));
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    const before = await store.meta.clientId();
    await store.clearPersonalData();
    expect(await store.outbox.list()).toEqual([]);
    expect(await store.records.get("visits", VISIT)).toBeUndefined();
    expect(await store.meta.clientId()).not.toBe(before);
    expect(await store.meta.get("next_seq")).toBe(1);
    await store.wipe();
  });
});
