import { describe, expect, it } from "vitest";

import { rebase } from "../../src/model/rebase";
import type { OutboxEntry, ServerCopy } from "../../src/model/types";
import { VISIT } from "../helpers/store";

const server: ServerCopy = {
  collection: "visits", id: VISIT, visit_id: VISIT, rev: 4, deleted: false,
  record: { status: "returned", "victim.name": "Ann Smyth", "review.note": "Fix the name" },
  conflicts: [{ field: "victim.name", value: "Ann Smith", rev: 2, replaced_by_rev: 4, author: "phone-b" }],
};

function entry(seq: number, fields: Record<string, unknown>, state: OutboxEntry["state"] = "queued", op: "put" | "delete" = "put"): OutboxEntry {
  return { epoch: 1, seq, collection: "visits", id: VISIT, op, base_rev: 2, fields: fields as never, at: "2024-05-01T10:00:00.000Z", visit_id: VISIT, sent: false, state, result: null, dismissed: false };
}

describe("rebase", () => {
  it("overlays pending edits on the pulled record, in seq order", () => {
    const view = rebase(server, [entry(6, { "victim.name": "B" }), entry(5, { "victim.name": "A", "victim.phone": "0123 456789" })], 0, "now");
    expect(view?.fields).toEqual({ status: "returned", "victim.name": "B", "review.note": "Fix the name", "victim.phone": "0123 456789" });
    expect(view?.base_rev).toBe(4);
    expect(view?.pending).toBe(2);
  });

  it("leaves out rejected edits and accepted ones the pull already reflects", () => {
    const view = rebase(server, [entry(5, { "victim.name": "R" }, "rejected"), entry(6, { "victim.phone": "1" }, "accepted"), entry(7, { "victim.email": "e@x.co" }, "accepted")], 6, "now");
    expect(view?.fields["victim.name"]).toBe("Ann Smyth");
    expect(view?.fields["victim.phone"]).toBeUndefined();
    expect(view?.fields["victim.email"]).toBe("e@x.co");
  });

  it("clears conflicts a pending _resolve covers", () => {
    const view = rebase(server, [entry(5, { "victim.name": "Ann Smith", _resolve: ["victim.name"] })], 0, "now");
    expect(view?.conflicts).toEqual([]);
    expect(view?.fields["victim.name"]).toBe("Ann Smith");
  });

  it("shows nothing for a tombstone or a pending delete", () => {
    expect(rebase({ ...server, deleted: true }, [entry(5, { "victim.name": "x" })], 0, "now")).toBeNull();
    expect(rebase(server, [entry(5, {}, "queued", "delete")], 0, "now")).toBeNull();
    expect(rebase(undefined, [], 0, "now")).toBeNull();
  });
});

describe("a refused creation", () => {
  it("keeps the record visible with what the officer entered", () => {
    const refused = { ...entry(1, { status: "draft", "victim.name": "Ann" }, "rejected"), base_rev: null };
    expect(rebase(undefined, [refused], 0, "now")?.fields).toEqual({ status: "draft", "victim.name": "Ann" });
    expect(rebase(undefined, [{ ...refused, dismissed: true }], 0, "now")).toBeNull();
  });
});
