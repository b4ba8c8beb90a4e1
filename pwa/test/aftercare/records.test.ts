import { describe, expect, it } from "vitest";

import { acceptsAddenda, acceptsContact, buildAddendum, buildSurvey, buildVictimUpdate } from "../../src/aftercare/records";

const VISIT = "6a0f5a5e-3b0c-4c55-9e56-0b1e4f6e1a01";
const KIT = "7b1f5a5e-3b0c-4c55-9e56-0b1e4f6e1a02";

describe("aftercare records", () => {
  it("test_accept_addenda_only_on_sealed_visits", () => {
    expect(["draft", "returned", "completed", "approved"].map(acceptsAddenda)).toEqual([false, false, true, true]);
    expect(["draft", "returned", "completed", "approved"].map(acceptsContact)).toEqual([false, true, true, true]);
  });

  it("test_build_addendum_kit_registered_needs_kit", () => {
    expect(buildAddendum(VISIT, { kind: "kit_registered" }).problems).toEqual([{ field: "kit_issue_id", message: "Choose the kit that was registered" }]);
    expect(buildAddendum(VISIT, { kind: "kit_registered", kit_issue_id: KIT }).fields).toEqual({ visit_id: VISIT, kind: "kit_registered", kit_issue_id: KIT });
  });

  it("test_build_addendum_forensic_and_note_name_missing_fields", () => {
    expect(buildAddendum(VISIT, { kind: "forensic_result", forensic_type: "dna" }).problems.map((p) => p.field)).toEqual(["forensic_outcome"]);
    expect(buildAddendum(VISIT, { kind: "note", text: "   " }).problems.map((p) => p.field)).toEqual(["text"]);
    expect(buildAddendum(VISIT, { kind: "nonsense" }).problems.map((p) => p.field)).toEqual(["kind"]);
    const evidence = buildAddendum(VISIT, { kind: "evidence_collected", evidence_kind: "cctv", exhibit_reference: " EX-1 ", occurred_at: "2026-11-24T10:15" });
    expect(evidence.fields).toMatchObject({ evidence_kind: "cctv", exhibit_reference: "EX-1" });
    expect(evidence.fields?.["occurred_at"]).toBe(new Date("2026-11-24T10:15").toISOString());
  });

  it("test_build_victim_update_refuses_next_due_before_contact", () => {
    const base = { contacted_at: "2026-11-24T10:15", method: "phone", about: "CCTV collected", next_update_due: "" };
    expect(buildVictimUpdate(VISIT, base).fields).toMatchObject({ method: "phone", about: "CCTV collected", next_update_due: null });
    expect(buildVictimUpdate(VISIT, { ...base, next_update_due: "2026-11-23" }).problems.map((p) => p.field)).toEqual(["next_update_due"]);
    expect(buildVictimUpdate(VISIT, { ...base, next_update_due: "2026-12-01" }).fields?.["next_update_due"]).toBe("2026-12-01");
    expect(buildVictimUpdate(VISIT, { contacted_at: "", method: "pigeon", about: "", next_update_due: "" }).problems.map((p) => p.field)).toEqual([
      "contacted_at", "method", "about",
    ]);
  });

  it("test_build_survey_requires_overall_and_scores_numbers", () => {
    expect(buildSurvey(VISIT, {}, "", "en").problems.map((p) => p.field)).toEqual(["overall"]);
    expect(buildSurvey(VISIT, { overall: "5", treatment: "4" }, " Kind ", "cy").fields).toEqual({ visit_id: VISIT, language: "cy", overall: 5, treatment: 4, comment: "Kind" });
    expect(buildSurvey(VISIT, { overall: "9" }, "", "en").problems.map((p) => p.field)).toEqual(["overall"]);
  });
});
