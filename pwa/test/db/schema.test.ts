import { openDB } from "idb";
import { describe, expect, it } from "vitest";

import { Database } from "../../src/db/database";
import { DB_NAME, DB_VERSION, isOfficerDb, officerDbName } from "../../src/db/schema";

/** What phones in the field have: a change here loses nothing only with an upgrade that carries every row. */
const FIELD_SCHEMA = {
  meta: { keyPath: null, autoIncrement: false, indexes: {} },
  records: { keyPath: ["collection", "id"], autoIncrement: false, indexes: { collection: "collection", visit_id: "visit_id" } },
  server: { keyPath: ["collection", "id"], autoIncrement: false, indexes: { visit_id: "visit_id" } },
  outbox: { keyPath: "qid", autoIncrement: true, indexes: {} },
  drafts: { keyPath: ["collection", "id", "path"], autoIncrement: false, indexes: {} },
  photos: { keyPath: "id", autoIncrement: false, indexes: { visit_id: "visit_id" } },
  tus: { keyPath: "key", autoIncrement: false, indexes: { fingerprint: "fingerprint" } },
};

describe("the IndexedDB schema", () => {
  it("is the one phones in the field have: name, version, stores, keys and indexes", async () => {
    expect(DB_NAME).toBe("doorstep");
    expect(DB_VERSION).toBe(1);
    const name = `schema-${Math.random()}`;
    (await Database.open(name)).close();
    const db = await openDB(name);
    const found: Record<string, unknown> = {};
    const tx = db.transaction([...db.objectStoreNames], "readonly");
    for (const storeName of db.objectStoreNames) {
      const store = tx.objectStore(storeName);
      const indexes: Record<string, unknown> = {};
      for (const indexName of store.indexNames) indexes[indexName] = store.index(indexName).keyPath;
      found[storeName] = { keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes };
    }
    expect(db.version).toBe(1);
    expect(found).toEqual(FIELD_SCHEMA);
    db.close();
  });

  it("names each further officer's database after them (the first officer keeps `doorstep`)", () => {
    const id = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
    expect(officerDbName(id)).toBe(`doorstep-officer-${id}`);
    expect(isOfficerDb("doorstep")).toBe(true);
    expect(isOfficerDb(officerDbName(id))).toBe(true);
    expect(isOfficerDb("workbox-expiration")).toBe(false);
  });
});
