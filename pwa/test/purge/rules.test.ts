import { describe, expect, it } from "vitest";

import { purgeBlockers, purgeDue, stubOf, type PurgeFacts } from "../../src/purge/rules";
import { HOUR, P1, V1 } from "../helpers/pull";

function facts(patch: Partial<PurgeFacts> = {}): PurgeFacts {
  return {
    visit: { deleted: false, record: { status: "completed" }, conflicts: [] },
    children: [{ collection: "photos", id: P1, deleted: false, record: { "upload.status": "verified" }, conflicts: [] }],
    views: [{ pending: 0, conflicts: [] }],
    outboxEntries: 0,
    photoBlobs: 0,
    drafts: 0,
    ...patch,
  };
}

describe("purge rules", () => {
  it("a completed or approved visit, photos verified, nothing waiting, may go", () => {
    expect(purgeBlockers(facts())).toEqual([]);
    expect(purgeBlockers(facts({ visit: { deleted: false, record: { status: "approved" }, conflicts: [] } }))).toEqual([]);
  });

  it("anything still the officer's keeps it", () => {
    const conflict = { field: "victim.name", yours: "a", theirs: "b", at: "" } as never;
    expect(purgeBlockers(facts({ visit: { deleted: false, record: { status: "draft" }, conflicts: [] } }))).toEqual(["status draft"]);
    expect(purgeBlockers(facts({ visit: { deleted: false, record: { status: "returned" }, conflicts: [] } }))).toEqual(["status returned"]);
    expect(purgeBlockers(facts({ children: [{ collection: "photos", id: P1, deleted: false, record: { "upload.status": "received" }, conflicts: [] }] }))).toEqual([`photo ${P1} not verified`]);
    expect(purgeBlockers(facts({ outboxEntries: 1 }))).toEqual(["changes in the outbox"]);
    expect(purgeBlockers(facts({ photoBlobs: 1 }))).toEqual(["photo bytes on the phone"]);
    expect(purgeBlockers(facts({ drafts: 2 }))).toEqual(["unsaved drafts"]);
    expect(purgeBlockers(facts({ views: [{ pending: 1, conflicts: [] }] }))).toEqual(["local edits pending"]);
    expect(purgeBlockers(facts({ views: [{ pending: 0, conflicts: [conflict] }] }))).toEqual(["conflicts to resolve"]);
    expect(purgeBlockers(facts({ visit: null }))).toEqual(["not on the server"]);
    // A deleted photo does not hold the visit back.
    expect(purgeBlockers(facts({ children: [{ collection: "photos", id: P1, deleted: true, record: {}, conflicts: [] }] }))).toEqual([]);
  });

  it("waits the grace time from when it was first seen eligible", () => {
    expect(purgeDue(1000, 1000 + 24 * HOUR - 1, 24 * HOUR)).toBe(false);
    expect(purgeDue(1000, 1000 + 24 * HOUR, 24 * HOUR)).toBe(true);
  });

  it("the stub keeps the crime reference, status and day only", () => {
    const stub = stubOf(V1, { status: "approved", "reference.crime_reference": "22/50001/26", "attendance.arrived_at": "2026-11-23T08:30:00Z", "victim.name": "Ann", "address.postcode": "WR3 8JE" }, "2026-11-24T09:00:00.000Z");
    expect(stub).toEqual({ id: V1, crime_reference: "22/50001/26", status: "approved", date: "2026-11-23", purged_at: "2026-11-24T09:00:00.000Z" });
  });

});
