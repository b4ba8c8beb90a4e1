import { describe, expect, it } from "vitest";

import { applyToStubs } from "../../src/feed/stubs";
import { P1, V1, V2, change } from "../helpers/pull";

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
