/**
 * The service worker's Background Sync (no window open) never has the data key. Storage it
 * opens must be locked (fail closed): before, `Store.open()` defaulted to a vault that writes
 * values as they are, so on a phone without a stored key (signed in, device PIN not chosen yet)
 * a background pull wrote the victim's details and the officer's profile in clear.
 */

import { openDB } from "idb";
import { describe, expect, it } from "vitest";

import { AesGcmVault, identityVault, META, Store } from "../../src/storage";
import { syncWithoutWindow } from "../../src/syncclient/background";
import { SyncClient } from "../../src/syncclient/client";
import { FakeServer } from "../helpers/fake-server";
import { VISIT, dataKey } from "../helpers/store";

const STORES = ["meta", "records", "server", "outbox", "drafts", "photos", "tus"];

/** Everything in the database, keys and values, as text. */
async function rawText(name: string): Promise<string> {
  const db = await openDB(name);
  const parts: unknown[] = [];
  for (const store of STORES) {
    parts.push(await db.getAll(store), await db.getAllKeys(store));
  }
  db.close();
  return JSON.stringify(parts);
}

/** A server that holds a visit with the victim's name (sent from the officer's other phone). */
async function serverWithVisit(): Promise<FakeServer> {
  const server = new FakeServer();
  const other = await Store.open(`other-${Math.random()}`, identityVault);
  await other.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft", "victim.name": "Ann Smith" } });
  await new SyncClient(other, { fetch: server.fetch, random: () => 0.5, setTimer: () => 0, clearTimer: () => undefined }).syncOnce();
  other.close();
  server.requests = [];
  return server;
}

describe("the service worker's storage", () => {
  it("test_service_worker_without_a_key_writes_nothing_in_clear", async () => {
    // A phone signed in whose key is not set up yet: its database holds no wrapped key.
    const name = `no-key-${Math.random()}`;
    (await Store.open(name, new AesGcmVault())).close();
    const server = await serverWithVisit();

    const result = await syncWithoutWindow(server.fetch, name);

    const text = await rawText(name);
    expect(text).not.toContain("Ann Smith");
    expect(text).not.toContain("PC Test");
    expect(result.outcome).toBe("locked");
    expect(server.requests).toEqual([]); // everything needs the key: nothing is even asked for
  });

  it("test_service_worker_on_an_encrypted_phone_opens_it_locked_and_skips_the_sync", async () => {
    const name = `with-key-${Math.random()}`;
    const vault = new AesGcmVault(await dataKey());
    const store = await Store.open(name, vault);
    await store.meta.set(META.vault, { v: 1, method: "prf" });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann Smith" } });
    store.close();
    const server = await serverWithVisit();

    const result = await syncWithoutWindow(server.fetch, name);

    expect(result.outcome).toBe("locked");
    expect(server.requests).toEqual([]);
    const reopened = await Store.open(name, vault);
    expect((await reopened.counts()).waiting).toBe(1); // the queue waits for the app, untouched
    reopened.close();
  });

  it("opens locked by default: nothing can be sealed or opened without a key", async () => {
    const store = await Store.open(`default-${Math.random()}`);
    await expect(store.meta.setSealed(META.profile, { officer: "PC Test" })).rejects.toThrow(/locked/i);
    expect(await store.meta.get(META.profile)).toBeUndefined();
    store.close();
  });
});
