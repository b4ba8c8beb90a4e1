/**
 * A shared phone keeps each officer's data in a database of their own (SECURITY.md 33): another
 * officer signing in, and an officer's own "Sign out and wipe", leave other officers' unsent work
 * where it is, sealed under their key.
 */

import { afterEach, describe, expect, it } from "vitest";

import { deleteAllDatabases } from "../../src/db/database";
import { officerDbName } from "../../src/db/schema";
import {
  AesGcmVault,
  claim,
  databaseForNewOfficer,
  databaseOf,
  DB_NAME,
  latestDatabase,
  META,
  officerDatabases,
  othersHoldingData,
  othersWaiting,
  Store,
  type OfficerDatabase,
} from "../../src/storage";
import { dataKey, VISIT } from "../helpers/store";

const A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const NONE = { waiting: 0, rejected: 0, photosWaiting: 0, photoBytesWaiting: 0 };

function db(name: string, extra: Partial<OfficerDatabase> = {}): OfficerDatabase {
  return { name, owner: null, lastActiveAt: 0, keyed: false, credentialId: null, counts: NONE, ...extra };
}

/** An officer's database with a key and `queued` changes waiting (sealed under their key). */
async function officerWithWork(name: string, officer: string, queued: number, at: number): Promise<void> {
  const store = await Store.open(name, new AesGcmVault(await dataKey()));
  await store.meta.set(META.vault, { v: 1, method: "prf", prf: { credential_id: `cred-${officer}` } });
  await claim(store, officer, at);
  for (let i = 0; i < queued; i += 1) {
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": `Ann ${i}` }, coalesce: false });
  }
  store.close();
}

afterEach(async () => {
  await deleteAllDatabases();
});

describe("officers' databases on a shared phone", () => {
  it("reads each database's officer, key and unsent work without any key", async () => {
    await officerWithWork(DB_NAME, A, 2, 1_000);
    await officerWithWork(officerDbName(B), B, 0, 2_000);
    const found = await officerDatabases();
    expect(found.map((d) => [d.name, d.owner, d.keyed, d.credentialId, d.counts.waiting])).toEqual([
      [DB_NAME, A, true, `cred-${A}`, 2],
      [officerDbName(B), B, true, `cred-${B}`, 0],
    ]);
    expect(latestDatabase(found)).toBe(officerDbName(B)); // B was here last
    expect(othersWaiting(found, officerDbName(B))).toEqual({ officers: 1, waiting: 2, rejected: 0, photosWaiting: 0 });
    expect(othersWaiting(found, DB_NAME)).toEqual({ officers: 0, waiting: 0, rejected: 0, photosWaiting: 0 });
  });

  it("finds an officer's own database by owner, or an unclaimed one from before by its passkey", () => {
    const dbs = [db(DB_NAME, { keyed: true, credentialId: "cred-A" }), db(officerDbName(B), { owner: B, keyed: true })];
    expect(databaseOf(dbs, B, "cred-B")).toBe(officerDbName(B));
    expect(databaseOf(dbs, A, "cred-A")).toBe(DB_NAME); // the phone's first officer, from before
    expect(databaseOf(dbs, A, "another-passkey")).toBeNull();
    expect(databaseOf(dbs, A, null)).toBeNull();
  });

  it("gives an officer new to the phone `doorstep` only while it holds nobody's data", () => {
    expect(databaseForNewOfficer([], A)).toBe(DB_NAME);
    expect(databaseForNewOfficer([db(DB_NAME)], A)).toBe(DB_NAME);
    expect(databaseForNewOfficer([db(DB_NAME, { owner: A, keyed: true })], B)).toBe(officerDbName(B));
    expect(databaseForNewOfficer([db(DB_NAME, { keyed: true })], B)).toBe(officerDbName(B));
    expect(databaseForNewOfficer([db(DB_NAME, { counts: { ...NONE, waiting: 1 } })], B)).toBe(officerDbName(B));
  });

  it("opens `doorstep` at start on a phone from before (nothing recorded) and on a new one", () => {
    expect(latestDatabase([])).toBe(DB_NAME);
    expect(latestDatabase([db(DB_NAME), db(officerDbName(B))])).toBe(DB_NAME);
  });

  it("claims a database for its officer once, and never for another", async () => {
    const store = await Store.open(DB_NAME, new AesGcmVault());
    await claim(store, A, 5);
    await claim(store, B, 6);
    expect(await store.meta.get(META.owner)).toBe(A);
    expect(await store.meta.get(META.lastActiveAt)).toBe(6);
    store.close();
  });

  it("test_own_wipe_leaves_another_officers_unsent_work", async () => {
    await officerWithWork(DB_NAME, A, 3, 1_000);
    await officerWithWork(officerDbName(B), B, 1, 2_000);
    const mine = await Store.open(officerDbName(B), new AesGcmVault());
    expect(othersHoldingData(await officerDatabases(), mine.name).map((d) => d.name)).toEqual([DB_NAME]);
    await mine.drop(); // B's own sign out and wipe
    const left = await officerDatabases();
    expect(left.map((d) => [d.name, d.owner, d.counts.waiting])).toEqual([[DB_NAME, A, 3]]);
  });
});
