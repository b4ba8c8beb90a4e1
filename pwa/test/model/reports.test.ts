import { describe, expect, it } from "vitest";

import { byReportedAt, isOpenReport, visitFromReport, visitOfReport } from "../../src/model/reports";
import type { LocalRecord } from "../../src/model/types";
import { freshStore } from "../helpers/store";

const R1 = "55555555-5555-4555-8555-555555555555";
const R2 = "66666666-6666-4666-8666-666666666666";

const report = (id: string, fields: Record<string, unknown>): LocalRecord => ({
  collection: "reports",
  id,
  visit_id: null,
  base_rev: 1,
  fields: fields as LocalRecord["fields"],
  conflicts: [],
  pending: 0,
  updated_at: "2026-11-23T09:00:00Z",
});

const FROM_SYSTEM = {
  "reference.crime_reference": "22/41871/26",
  "reference.incident_number": "LOG-0412",
  "reference.reported_at": "2026-11-22T18:40:00Z",
  "offence.type": "dwelling",
  "address.line1": "14 Lansdowne Crescent",
  "address.line2": null,
  "address.town": "Worcester",
  "address.postcode": "WR3 8JE",
  "victim.name": "Ann Smith",
  "victim.phone": "07700 900123",
  "victim.email": null,
  "victim.vulnerabilities": ["elderly"],
  "victim.repeat_victim": true,
  state: "awaiting",
  "assigned.officer_id": "o1",
  "link.visit_id": null,
};

describe("visitFromReport", () => {
  it("copies the crime system's values, links the report and starts a draft now", () => {
    const fields = visitFromReport(report(R1, FROM_SYSTEM), "2026-11-23T09:05:00.000Z");
    expect(fields).toEqual({
      status: "draft",
      "attendance.arrived_at": "2026-11-23T09:05:00.000Z",
      "reference.report_id": R1,
      "reference.crime_reference": "22/41871/26",
      "reference.incident_number": "LOG-0412",
      "reference.reported_at": "2026-11-22T18:40:00Z",
      "offence.type": "dwelling",
      "address.line1": "14 Lansdowne Crescent",
      "address.town": "Worcester",
      "address.postcode": "WR3 8JE",
      "victim.name": "Ann Smith",
      "victim.phone": "07700 900123",
      "victim.vulnerabilities": ["elderly", "repeat_victim"],
    });
  });

  it("never copies the report's own bookkeeping (state, assignment, link)", () => {
    const fields = visitFromReport(report(R1, FROM_SYSTEM), "2026-11-23T09:05:00.000Z");
    expect(Object.keys(fields).filter((k) => k.startsWith("assigned.") || k.startsWith("link.") || k === "state")).toEqual([]);
  });
});

describe("the reports list", () => {
  it("keeps open reports, oldest first, and finds a visit started from one", () => {
    const open = report(R2, { ...FROM_SYSTEM, "reference.reported_at": "2026-11-21T08:00:00Z" });
    const visited = report(R1, { ...FROM_SYSTEM, state: "visited" });
    expect([report(R1, FROM_SYSTEM), open].sort(byReportedAt).map((r) => r.id)).toEqual([R2, R1]);
    expect(isOpenReport(open)).toBe(true);
    expect(isOpenReport(visited)).toBe(false);
    const visit = { ...report("v1", { "reference.report_id": R2 }), collection: "visits" as const };
    expect(visitOfReport(R2, open, [visit])?.id).toBe("v1");
    expect(visitOfReport(R1, visited, [visit])).toBeUndefined();
  });
});

describe("reports kept offline", () => {
  it("a pulled report is kept on the phone and leaves it when the pull says it left scope", async () => {
    const store = await freshStore();
    await store.feed.apply({ cursor: "eyJuIjoxLCJ2IjoxfQ", has_more: false, last_seq: 0, changes: [
      { collection: "reports", id: R1, rev: 1, deleted: false, record: FROM_SYSTEM as never, conflicts: [] },
    ] });
    const kept = await store.records.list("reports");
    expect(kept.map((r) => [r.id, r.fields["victim.name"], r.visit_id])).toEqual([[R1, "Ann Smith", null]]);
    expect(await store.records.list("visits")).toEqual([]);
    await store.feed.apply({ cursor: "eyJuIjoyLCJ2IjoxfQ", has_more: false, last_seq: 0, changes: [
      { collection: "reports", id: R1, rev: 2, deleted: true, record: null, conflicts: [], reason: "scope" },
    ] });
    expect(await store.records.list("reports")).toEqual([]);
  });
});
