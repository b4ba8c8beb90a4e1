import { describe, expect, it } from "vitest";

import { ITEM, VISIT, freshStore } from "../helpers/store";

describe("Feed.apply", () => {
  it("a pull with reset replaces the cache of server copies", async () => {
    const store = await freshStore();
    await store.feed.apply({ cursor: "eyJuIjoyLCJ2IjoxfQ", has_more: false, last_seq: 0, changes: [
      { collection: "visits", id: VISIT, rev: 1, deleted: false, record: { status: "draft" }, conflicts: [] },
      { collection: "property_items", id: ITEM, rev: 1, deleted: false, record: { visit_id: VISIT }, conflicts: [] },
    ] });
    await store.feed.apply({ cursor: "eyJuIjo5LCJ2IjoxfQ", has_more: false, last_seq: 0, reset: true, changes: [
      { collection: "visits", id: VISIT, rev: 2, deleted: false, record: { status: "completed" }, conflicts: [] },
    ] });
    expect(await store.records.serverCopy("property_items", ITEM)).toBeUndefined();
    expect(await store.records.get("property_items", ITEM)).toBeUndefined();
    expect((await store.records.get("visits", VISIT))?.fields).toEqual({ status: "completed" });
    expect(await store.meta.get("cursor")).toBe("eyJuIjo5LCJ2IjoxfQ");
  });
});
