import { openDB } from "idb";
import { describe, expect, it } from "vitest";

import { AesGcmVault, LockedError, META, Store, VaultError, identityVault, lockedVault } from "../../src/storage";
import { aadFor } from "../../src/db/vault";
import { VISIT } from "../helpers/store";

const PHOTO = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 1, 2, 3, 4, 5]);

async function key(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]) as Promise<CryptoKey>;
}

async function vault(): Promise<AesGcmVault> {
  return new AesGcmVault(await key());
}

type Envelope = { v: number; iv: Uint8Array; ct: ArrayBuffer };

describe("AesGcmVault", () => {
  it("round-trips JSON values and photo bytes unchanged", async () => {
    const v = await vault();
    const value = { fields: { "victim.name": "Margaret Ellis", "address.postcode": "WR3 8JE", n: 3, ok: true, none: null }, conflicts: [] };
    expect(await v.open(await v.seal(value, "records/visits/1"), "records/visits/1")).toEqual(value);
    const sealed = await v.sealBlob(new Blob([JPEG], { type: "image/jpeg" }), `photos/${PHOTO}`);
    const opened = await v.openBlob(sealed, `photos/${PHOTO}`);
    expect(new Uint8Array(await opened.arrayBuffer())).toEqual(JPEG);
    expect(opened.type).toBe("image/jpeg");
  });

  it("uses a fresh 96-bit IV for every write, and the ciphertext shows nothing", async () => {
    const v = await vault();
    const a = (await v.seal("Margaret Ellis", "meta/x")) as Envelope;
    const b = (await v.seal("Margaret Ellis", "meta/x")) as Envelope;
    expect(a.iv).toHaveLength(12);
    expect(b.iv).toHaveLength(12);
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).toBe(false);
    expect(Buffer.from(a.ct).equals(Buffer.from(b.ct))).toBe(false);
    expect(Buffer.from(a.ct).toString("latin1")).not.toContain("Margaret");
    const ivs = new Set<string>();
    for (let i = 0; i < 200; i += 1) ivs.add(Buffer.from(((await v.seal(i, "meta/x")) as Envelope).iv).toString("hex"));
    expect(ivs.size).toBe(200);
    const blob = (await v.sealBlob(new Blob([JPEG]), "photos/p")) as { ct: Blob };
    const head = new Uint8Array(await blob.ct.arrayBuffer()).slice(0, 3);
    expect([...head]).not.toEqual([0xff, 0xd8, 0xff]);
  });

  it("refuses a tampered ciphertext, IV or tag", async () => {
    const v = await vault();
    const sealed = (await v.seal({ a: 1 }, "meta/x")) as Envelope;
    const ct = new Uint8Array(sealed.ct.slice(0));
    ct[0] = (ct[0] as number) ^ 1;
    await expect(v.open({ ...sealed, ct: ct.buffer }, "meta/x")).rejects.toBeInstanceOf(VaultError);
    const tag = new Uint8Array(sealed.ct.slice(0));
    tag[tag.length - 1] = (tag[tag.length - 1] as number) ^ 0x80;
    await expect(v.open({ ...sealed, ct: tag.buffer }, "meta/x")).rejects.toBeInstanceOf(VaultError);
    const iv = new Uint8Array(sealed.iv);
    iv[11] = (iv[11] as number) ^ 1;
    await expect(v.open({ ...sealed, iv }, "meta/x")).rejects.toBeInstanceOf(VaultError);
    const blob = (await v.sealBlob(new Blob([JPEG]), "photos/p")) as { v: number; iv: Uint8Array; ct: Blob; type: string };
    const bytes = new Uint8Array(await blob.ct.arrayBuffer());
    bytes[5] = (bytes[5] as number) ^ 0xff;
    await expect(v.openBlob({ ...blob, ct: new Blob([bytes]) }, "photos/p")).rejects.toBeInstanceOf(VaultError);
    await expect(v.open({ a: 1 }, "meta/x")).rejects.toBeInstanceOf(VaultError); // not sealed at all
  });

  it("refuses a value sealed under another key", async () => {
    const sealed = await (await vault()).seal({ a: 1 }, "meta/x");
    await expect((await vault()).open(sealed, "meta/x")).rejects.toBeInstanceOf(VaultError);
    const photo = await (await vault()).sealBlob(new Blob([JPEG]), "photos/p");
    await expect((await vault()).openBlob(photo, "photos/p")).rejects.toBeInstanceOf(VaultError);
  });

  it("binds each value to its store and record (AAD): moved values do not open", async () => {
    const v = await vault();
    const sealed = await v.seal({ fields: { "victim.name": "Ann" } }, "records/visits/1");
    await expect(v.open(sealed, "records/visits/2")).rejects.toBeInstanceOf(VaultError);
    await expect(v.open(sealed, "server/visits/1")).rejects.toBeInstanceOf(VaultError);
    const photo = await v.sealBlob(new Blob([JPEG]), "photos/a");
    await expect(v.openBlob(photo, "photos/b")).rejects.toBeInstanceOf(VaultError);
    expect(new TextDecoder().decode(aadFor("records/visits/1"))).toBe("doorstep/v1/records/visits/1");
  });

  it("locks: without the key nothing is sealed or opened", async () => {
    const v = await vault();
    const sealed = await v.seal("x", "meta/x");
    v.lock();
    expect(v.unlocked).toBe(false);
    await expect(v.open(sealed, "meta/x")).rejects.toBeInstanceOf(LockedError);
    await expect(v.seal("x", "meta/x")).rejects.toBeInstanceOf(LockedError);
    await expect(v.sealBlob(new Blob([JPEG]), "photos/p")).rejects.toBeInstanceOf(LockedError);
    await expect(lockedVault.seal("x", "meta/x")).rejects.toBeInstanceOf(LockedError);
  });

  it("only takes non-extractable keys", async () => {
    const extractable = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"])) as CryptoKey;
    expect(() => new AesGcmVault().setKey(extractable)).toThrow(/non-extractable/);
  });
});

/** Every value of every store, serialised to text (ArrayBuffers, typed arrays and Blobs as bytes). */
async function rawDump(name: string): Promise<{ text: string; blobs: Uint8Array[] }> {
  const db = await openDB(name);
  const parts: string[] = [];
  const blobs: Uint8Array[] = [];
  const walk = async (x: unknown): Promise<void> => {
    if (x instanceof Blob) {
      const bytes = new Uint8Array(await x.arrayBuffer());
      blobs.push(bytes);
      parts.push(Buffer.from(bytes).toString("latin1"));
    } else if (x instanceof ArrayBuffer) parts.push(Buffer.from(x).toString("latin1"));
    else if (ArrayBuffer.isView(x)) parts.push(Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString("latin1"));
    else if (Array.isArray(x)) for (const y of x) await walk(y);
    else if (x && typeof x === "object") for (const [k, y] of Object.entries(x)) {
      parts.push(k);
      await walk(y);
    }
    else parts.push(String(x));
  };
  for (const store of db.objectStoreNames) {
    for (const value of await db.getAll(store)) await walk(value);
    for (const key of await db.getAllKeys(store)) await walk(key);
  }
  db.close();
  return { text: parts.join("\n"), blobs };
}

describe("Store with the AES-GCM vault", () => {
  it("keeps no victim data and no JPEG in clear, and reads it all back", async () => {
    const name = `vault-store-${Math.random()}`;
    const store = await Store.open(name, await vault());
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft", "victim.name": "Margaret Ellis", "address.postcode": "WR3 8JE" } });
    await store.drafts.set("visits", VISIT, "victim.phone", "Margaret's 0770");
    await store.meta.setSealed("profile", { officer: { display_name: "PC Sam Patel" } });
    await store.photos.put({
      id: PHOTO, visit_id: VISIT, blob: new Blob([JPEG], { type: "image/jpeg" }), sha256: "0".repeat(64), content_type: "image/jpeg",
      byte_size: JPEG.length, taken_at: new Date().toISOString(), upload_state: "waiting", upload_offset: 0, upload_error: null, attempts: 0,
    });
    await store.feed.apply({
      cursor: "c1", has_more: false, last_seq: 0,
      changes: [{ collection: "visits", id: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", rev: 1, deleted: false, record: { status: "completed", "victim.name": "Ann Hughes", "address.postcode": "WR5 1DR" }, conflicts: [] }],
    });
    const dump = await rawDump(name);
    for (const secret of ["Margaret", "Ellis", "WR3 8JE", "Ann Hughes", "WR5 1DR", "Sam Patel", "0770"]) expect(dump.text).not.toContain(secret);
    expect(dump.blobs.length).toBeGreaterThan(0);
    for (const b of dump.blobs) expect([...b.slice(0, 3)]).not.toEqual([0xff, 0xd8, 0xff]);

    expect((await store.records.get("visits", VISIT))?.fields["victim.name"]).toBe("Margaret Ellis");
    expect((await store.outbox.list())[0]?.fields["address.postcode"]).toBe("WR3 8JE");
    expect(await store.drafts.of("visits", VISIT)).toEqual({ "victim.phone": "Margaret's 0770" });
    expect(new Uint8Array(await ((await store.photos.get(PHOTO))?.blob as Blob).arrayBuffer())).toEqual(JPEG);
    expect((await store.records.serverCopy("visits", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"))?.record["victim.name"]).toBe("Ann Hughes");
    await store.wipe();
  });

  it("a sealed row copied onto another record does not open", async () => {
    const name = `vault-move-${Math.random()}`;
    const store = await Store.open(name, await vault());
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    const db = await openDB(name);
    const row = (await db.get("records", ["visits", VISIT])) as Record<string, unknown>;
    const other = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
    await db.put("records", { ...row, id: other });
    db.close();
    await expect(store.records.get("visits", other)).rejects.toBeInstanceOf(VaultError);
    await store.wipe();
  });

  it("counts what waits without the key (lock screen), and refuses everything else", async () => {
    const name = `vault-locked-${Math.random()}`;
    const v = await vault();
    const store = await Store.open(name, v);
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann" } });
    v.lock();
    expect((await store.counts()).waiting).toBe(1);
    await expect(store.records.get("visits", VISIT)).rejects.toBeInstanceOf(LockedError);
    await expect(store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Bo" } })).rejects.toBeInstanceOf(LockedError);
    await store.wipe();
  });

  it("never writes in clear into an encrypted database (the service worker has no key)", async () => {
    const name = `vault-sw-${Math.random()}`;
    const store = await Store.open(name, await vault());
    await store.meta.set(META.vault, { v: 1, method: "prf" });
    store.close();
    const sw = await Store.open(name); // what the service worker does: no vault given
    expect(sw.vault).not.toBe(identityVault);
    await expect(sw.meta.setSealed("profile", { officer: "x" })).rejects.toBeInstanceOf(LockedError);
    await sw.wipe();
  });
});
