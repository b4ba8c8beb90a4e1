import { describe, expect, it } from "vitest";

import { parseMutation } from "../../src/sync";
import type { OutboxEntry } from "../../src/model/types";
import { wireBytes, wireOf } from "../../src/outbox/wire";
import { VISIT } from "../helpers/store";

const entry: OutboxEntry = {
  qid: 9, epoch: 2, seq: 7, collection: "visits", id: VISIT, op: "put", base_rev: 3,
  fields: { "victim.name": "Ann Smyth", _resolve: ["victim.name"] }, at: "2024-05-01T10:00:00.000Z",
  visit_id: VISIT, sent: true, state: "queued", result: null, dismissed: false,
};

describe("the wire form of a queued mutation", () => {
  it("is the mutation alone, keys in protocol order, _resolve still inside fields", () => {
    const wire = wireOf(entry);
    expect(Object.keys(wire)).toEqual(["seq", "collection", "id", "op", "base_rev", "fields", "at"]);
    expect(wire.fields).toEqual({ "victim.name": "Ann Smyth", _resolve: ["victim.name"] });
    expect(parseMutation(wire).resolve).toEqual(["victim.name"]);
  });

  it("measures what it takes in a push body (UTF-8)", () => {
    const named = { ...entry, fields: { "victim.name": "Zoë" } };
    expect(wireBytes(named)).toBe(Buffer.byteLength(JSON.stringify(wireOf(named)), "utf8"));
  });
});
