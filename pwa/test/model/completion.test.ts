import { describe, expect, it } from "vitest";

import { REQUIRED_FOR_COMPLETION, completionChecks, missingForCompletion } from "../../src/model/completion";
import { checkCrimeReference, checkPostcode, checkPounds } from "../../src/model/validate";

const complete = {
  status: "draft",
  "reference.crime_reference": "CR/2024/123",
  "reference.reported_at": "2024-05-01T09:00:00Z",
  "attendance.arrived_at": "2024-05-01T10:00:00.000Z",
  "address.line1": "1 High Street",
  "address.postcode": "SW1A 1AA",
  "victim.name": "Ann Smith",
  "offence.type": "dwelling",
  "victim.victims_code_given": true,
};

describe("completion checks", () => {
  it("mirror the server's missing_for_completion, in its order", () => {
    expect(missingForCompletion({})).toEqual([...REQUIRED_FOR_COMPLETION]);
    expect(missingForCompletion(complete)).toEqual([]);
    expect(missingForCompletion({ ...complete, "victim.name": null })).toEqual(["victim.name"]);
    // false is an answer (the server checks "is None")
    expect(missingForCompletion({ ...complete, "victim.victims_code_given": false })).toEqual([]);
  });

  it("name each problem with its label and section, for links to the field", () => {
    const problems = completionChecks({ ...complete, "address.postcode": null, "victim.name": undefined as never });
    expect(problems.map((p) => [p.path, p.label, p.section])).toEqual([
      ["address.postcode", "Postcode", "place"],
      ["victim.name", "Victim name", "victim"],
    ]);
  });

  it("list invalid drafts, reversed time windows and a referral without consent", () => {
    const problems = completionChecks(
      { ...complete, "address.postcode": null, "attendance.left_at": "2024-05-01T09:30:00Z", "victim.referral_made": true, "victim.referral_consent": false },
      { "address.postcode": "SW1" },
    );
    expect(problems.map((p) => p.path)).toEqual(["address.postcode", "attendance.left_at", "victim.referral_made"]);
    expect(completionChecks(complete)).toEqual([]);
  });

  it("check values the way the server does", () => {
    expect(checkPostcode("sw1a1aa")).toEqual({ ok: true, value: "SW1A 1AA" });
    expect(checkPostcode("bfpo 123")).toEqual({ ok: true, value: "BFPO 123" });
    expect(checkPostcode("SW1").ok).toBe(false);
    expect(checkCrimeReference(" cr/2024/1 ")).toEqual({ ok: true, value: "CR/2024/1" });
    expect(checkCrimeReference("x").ok).toBe(false);
    expect(checkCrimeReference("AB12", "[A-Z]{2}[0-9]{2}")).toEqual({ ok: true, value: "AB12" });
    expect(checkPounds("£1,250.50")).toEqual({ ok: true, value: 125050 });
  });
});
