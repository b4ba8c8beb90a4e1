import { describe, expect, it } from "vitest";

import {
  AdminApi,
  adviceBody,
  adviceFormOf,
  adviceItems,
  actionLabel,
  actorLabel,
  byField,
  checkAdvice,
  checkCsv,
  checkEdit,
  checkOfficer,
  checkReasonText,
  csvHeader,
  describeProblems,
  editChanges,
  editOf,
  emptyAdviceForm,
  emptyAuditFilters,
  emptyOfficerForm,
  findOfficers,
  normaliseId,
  officerBody,
  parseTags,
  problemsFrom,
  type AdminOfficer,
  type AdviceVersion,
  type AuditRow,
} from "../src/admin-api";
import { Api, ApiError, NetworkError } from "../src/api";
import { exportUrl, emptyFilters } from "../src/supervisor-api";
import { parseRoute } from "../src/ui/router";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function fakeApi(answers: Response[]) {
  const calls: Call[] = [];
  const fetchFn = async (url: string, init?: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    return next;
  };
  return { calls, api: new AdminApi(new Api(fetchFn)) };
}

const OFFICER: AdminOfficer = {
  id: "0b7e3a3e-5d7c-4a55-9d3a-5f7d1c3c2b10",
  collar_number: "1234",
  display_name: "PC Sam Patel",
  role: "officer",
  supervision_scope: "team",
  team_id: 1,
  team_name: "Worcester Response A",
  area_id: 1,
  area_name: "South Worcestershire",
  active: true,
  contact_phone: "01905 000 101",
  contact_email: "",
  created_at: "2026-11-23T08:00:00Z",
};

function version(over: Partial<AdviceVersion>): AdviceVersion {
  return {
    record_id: "r",
    item_id: "locks",
    version: 1,
    category: "Doors",
    title: "Fit locks",
    body: "Fit British Standard locks.",
    tags: ["doors"],
    position: 10,
    current: true,
    retired: false,
    created_at: "2026-11-23T08:00:00Z",
    ...over,
  };
}

describe("the API's errors as field problems", () => {
  it("names each field of a 422 without the body prefix", () => {
    const exc = new ApiError(422, "validation_failed", "contact_email: bad", {
      fields: [
        { field: "contact_email", message: "String should match pattern", type: "string_pattern_mismatch" },
        { field: "body.display_name", message: "Field required", type: "missing" },
      ],
    });
    expect(problemsFrom(exc)).toEqual([
      { field: "contact_email", message: "String should match pattern" },
      { field: "display_name", message: "Field required" },
    ]);
  });

  it("ties a conflict to the field it is about, and anything else to the form", () => {
    expect(problemsFrom(new ApiError(409, "collar_taken", "collar number 1234 already exists"))).toEqual([
      { field: "collar_number", message: "collar number 1234 already exists" },
    ]);
    expect(problemsFrom(new ApiError(409, "team_exists", "team X already exists"))[0]!.field).toBe("name");
    expect(problemsFrom(new ApiError(409, "not_an_active_officer", "no"))[0]!.field).toBe("officer_id");
    expect(problemsFrom(new ApiError(404, "not_found", "No such team.", { field: "team_id" }))).toEqual([
      { field: "team_id", message: "No such team." },
    ]);
    const other = problemsFrom(new ApiError(404, "not_found", "No such visit."));
    expect(other).toEqual([{ field: "", message: "No such visit." }]);
    expect(problemsFrom(new NetworkError())[0]!.message).toContain("No connection");
  });

  it("describes problems with the form's labels, first message per field", () => {
    const problems = [
      { field: "collar_number", message: "taken" },
      { field: "collar_number", message: "second" },
      { field: "", message: "Try again" },
      { field: "csv.role", message: "missing" },
    ];
    expect(byField(problems)).toEqual({ collar_number: "taken", "": "Try again", "csv.role": "missing" });
    expect(describeProblems(problems.slice(0, 1).concat(problems.slice(2)), { collar_number: "Collar number" })).toBe(
      "Collar number: taken; Try again; csv.role: missing",
    );
  });
});

describe("the officer forms", () => {
  it("refuses a new account with missing or malformed fields, naming each", () => {
    expect(checkOfficer(emptyOfficerForm()).map((p) => p.field)).toEqual(["collar_number", "display_name", "team"]);
    const bad = { ...emptyOfficerForm(), collar_number: "12 34", display_name: "PC A", team: "T", contact_phone: "abc", contact_email: "me@" };
    expect(checkOfficer(bad).map((p) => p.field)).toEqual(["collar_number", "contact_phone", "contact_email"]);
    const good = { ...emptyOfficerForm(), collar_number: "3101", display_name: "PC A", team: "T", contact_phone: "+44 (0)1905 000-101", contact_email: "a@police.uk" };
    expect(checkOfficer(good)).toEqual([]);
  });

  it("sends a new account trimmed, leaving out an empty area and contacts", () => {
    const f = { ...emptyOfficerForm(), collar_number: " 3101 ", display_name: " PC A ", team: " Team ", area: " " };
    expect(officerBody(f)).toEqual({ collar_number: "3101", display_name: "PC A", role: "officer", team: "Team", supervision_scope: "team" });
    expect(officerBody({ ...f, area: "North", contact_email: "a@b.uk" })).toMatchObject({ area: "North", contact_email: "a@b.uk" });
  });

  it("sends only what an edit changed, and an emptied contact as an empty string", () => {
    const e = editOf(OFFICER);
    expect(editChanges(OFFICER, e)).toEqual({});
    expect(editChanges(OFFICER, { ...e, contact_phone: " ", contact_email: " sam@police.uk ", role: "supervisor" })).toEqual({
      contact_phone: "",
      contact_email: "sam@police.uk",
      role: "supervisor",
    });
    expect(checkEdit({ ...e, display_name: " " }).map((p) => p.field)).toEqual(["display_name"]);
    expect(checkEdit({ ...e, contact_email: "nope" }).map((p) => p.field)).toEqual(["contact_email"]);
  });

  it("finds accounts by part of the name or collar number", () => {
    const jo = { ...OFFICER, id: "b", collar_number: "5678", display_name: "PCSO  Jo Evans" };
    expect(findOfficers([OFFICER, jo], " ")).toHaveLength(2);
    expect(findOfficers([OFFICER, jo], "567").map((o) => o.id)).toEqual(["b"]);
    expect(findOfficers([OFFICER, jo], "pcso jo").map((o) => o.id)).toEqual(["b"]);
    expect(findOfficers([OFFICER, jo], "SAM").map((o) => o.id)).toEqual([OFFICER.id]);
    expect(findOfficers([OFFICER, jo], "nobody")).toEqual([]);
  });

  it("checks a reason's length once trimmed", () => {
    expect(checkReasonText("  ", 3, 500)).toContain("Enter the reason");
    expect(checkReasonText(" ab ", 3, 500)).toBe("At least 3 characters");
    expect(checkReasonText("x".repeat(401), 10, 400)).toBe("400 characters or fewer");
    expect(checkReasonText("Recorded twice by mistake", 10, 400)).toBeNull();
  });

  it("accepts a visit id as pasted, in any case, and nothing else", () => {
    expect(normaliseId(" 3F2A9C4E-1B2D-4C5E-8F90-123456789ABC ")).toBe("3f2a9c4e-1b2d-4c5e-8f90-123456789abc");
    expect(normaliseId("22/41871/26")).toBeNull();
    expect(normaliseId("")).toBeNull();
  });
});

describe("the officers' CSV file", () => {
  it("reads the header row, quotes, case and a BOM aside", () => {
    expect(csvHeader('\uFEFF"Collar_Number", display_name ,role,team\r\n1,a,officer,t')).toEqual(["collar_number", "display_name", "role", "team"]);
  });

  it("refuses an empty file or one without a required column before sending", () => {
    expect(checkCsv(" \n")).toBe("The file is empty");
    expect(checkCsv("collar_number,display_name,team\n1,a,t")).toBe("The header row (line 1) lacks the column role");
    expect(checkCsv("name\n")).toContain("columns collar_number, display_name, role, team");
    expect(checkCsv("collar_number,display_name,role,team,area\n1,a,officer,t,")).toBeNull();
    expect(checkCsv(`collar_number,display_name,role,team\n${"x".repeat(1_000_001)}`)).toContain("larger than 1 MB");
  });
});

describe("the advice catalogue", () => {
  it("splits tags on commas and spaces", () => {
    expect(parseTags(" Doors, locks  windows,,")).toEqual(["doors", "locks", "windows"]);
  });

  it("checks an item's fields, naming each", () => {
    expect(checkAdvice(emptyAdviceForm(), true).map((p) => p.field)).toEqual(["category", "title", "body"]);
    const f = { ...adviceFormOf(version({})), item_id: "Bad Id", tags: "ok, Not_OK!", position: "-1" };
    expect(checkAdvice(f, true).map((p) => p.field)).toEqual(["item_id", "tags", "position"]);
    // An edit never sends the id: it is not checked.
    expect(checkAdvice({ ...f, tags: "ok", position: "3" }, false)).toEqual([]);
  });

  it("sends a new item whole and a new version with only what changed", () => {
    const f = { ...emptyAdviceForm(), category: "Sheds", title: "Lock the shed", body: "Use a padlock.", tags: "garden" };
    expect(adviceBody(f, null)).toEqual({ category: "Sheds", title: "Lock the shed", body: "Use a padlock.", tags: ["garden"] });
    expect(adviceBody({ ...f, item_id: "shed" }, null)).toMatchObject({ item_id: "shed" });
    const before = version({});
    expect(adviceBody(adviceFormOf(before), before)).toEqual({});
    expect(adviceBody({ ...adviceFormOf(before), title: "Fit better locks", tags: "doors, locks", position: "2" }, before)).toEqual({
      title: "Fit better locks",
      tags: ["doors", "locks"],
      position: 2,
    });
  });

  it("groups versions by item: current first, retired items last, in display order", () => {
    const items = adviceItems([
      version({ item_id: "b", version: 1, position: 1, current: false }),
      version({ item_id: "b", version: 2, position: 1 }),
      version({ item_id: "a", version: 1, position: 5 }),
      version({ item_id: "c", version: 1, position: 0, retired: true }),
    ]);
    expect(items.map((i) => [i.current.item_id, i.current.version, i.older.length])).toEqual([
      ["b", 2, 1],
      ["a", 1, 0],
      ["c", 1, 0],
    ]);
  });
});

describe("the audit", () => {
  const row: AuditRow = {
    id: 1,
    at: "2026-11-23T08:00:00Z",
    action: "erase",
    record_type: "visits",
    record_id: "v",
    actor_id: null,
    actor: null,
    device_id: null,
    reason: "",
    recipient: "",
    request_id: "r",
  };

  it("names actions and actors in words", () => {
    expect(actionLabel("consult")).toBe("Viewed");
    expect(actionLabel("disclose")).toBe("Exported (disclosed)");
    expect(actionLabel("something_new")).toBe("Something new");
    expect(actorLabel(row)).toBe("The system");
    expect(actorLabel({ ...row, actor_id: "x" })).toBe("Unknown account x");
    expect(actorLabel({ ...row, actor_id: "x", actor: { id: "x", display_name: "Pat", collar_number: "8801", role: "auditor" } })).toBe(
      "Pat (8801), auditor",
    );
  });
});

describe("the client", () => {
  it("calls the admin endpoints with the documented methods and bodies", async () => {
    const { calls, api } = fakeApi([json(200, OFFICER), json(200, OFFICER), json(201, { code: "abc", officer_id: OFFICER.id, expires_at: "x" }), json(200, { id: "v" })]);
    await api.editOfficer(OFFICER.id, { contact_email: "" });
    await api.setActive(OFFICER.id, false, " Left the force ");
    await api.enrolmentCode(OFFICER.id);
    await api.eraseVisit("v1", "duplicate", " Entered twice by mistake ");
    expect(calls.map((c) => [c.init?.method, c.url])).toEqual([
      ["PATCH", `/api/admin/officers/${OFFICER.id}`],
      ["POST", `/api/admin/officers/${OFFICER.id}/deactivate`],
      ["POST", `/api/admin/officers/${OFFICER.id}/enrolment-codes`],
      ["POST", "/api/admin/visits/v1/erase"],
    ]);
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual({ contact_email: "" });
    expect(JSON.parse(String(calls[1]!.init?.body))).toEqual({ reason: "Left the force" });
    expect(JSON.parse(String(calls[3]!.init?.body))).toEqual({ basis: "duplicate", reason: "Entered twice by mistake" });
  });

  it("filters the officers and pages the audit", async () => {
    const { calls, api } = fakeApi([json(200, { officers: [] }), json(200, { rows: [], next_cursor: null }), json(200, { rows: [], next_cursor: null })]);
    await api.officers({ role: "officer", active: true });
    await api.visitAudit("v1", "42");
    await api.auditLog({ ...emptyAuditFilters(), action: "erase", date_from: "2026-11-23", date_to: "2026-11-23" });
    expect(calls[0]!.url).toBe("/api/admin/officers?role=officer&active=true");
    expect(calls[1]!.url).toBe("/api/visits/v1/audit?limit=200&cursor=42");
    const q = new URL(calls[2]!.url, "http://x").searchParams;
    expect(q.get("action")).toBe("erase");
    // "to" is inclusive: the next day's start.
    expect(Date.parse(q.get("date_to")!) - Date.parse(q.get("date_from")!)).toBe(86_400_000);
  });

  it("turns a refusal into field problems the form shows", async () => {
    const { api } = fakeApi([json(409, { error: { code: "collar_taken", message: "collar number 1234 already exists", details: {} } })]);
    const exc = await api.createOfficer({ ...emptyOfficerForm(), collar_number: "1234", display_name: "A", team: "T" }).catch((e: unknown) => e);
    expect(problemsFrom(exc)).toEqual([{ field: "collar_number", message: "collar number 1234 already exists" }]);
  });
});

describe("routes and exports", () => {
  it("routes the administrator's and auditor's screens", () => {
    expect(parseRoute("#/admin/officers/abc")).toEqual({ name: "admin", path: ["officers", "abc"] });
    expect(parseRoute("#/admin")).toEqual({ name: "admin", path: [] });
    expect(parseRoute("#/audit/visits/v1")).toEqual({ name: "audit", path: ["visits", "v1"] });
  });

  it("offers the complete export as a zip of CSV or JSON Lines, the reason with it", () => {
    const f = { ...emptyFilters(), status: "approved" };
    expect(exportUrl(f, " Monthly return ")).toBe("/api/exports/visits.csv?status=approved&reason=Monthly+return");
    expect(exportUrl(f, "Monthly return", "zip-csv")).toBe("/api/exports/visits.zip?status=approved&reason=Monthly+return&format=csv");
    expect(exportUrl(f, "Monthly return", "zip-jsonl")).toBe("/api/exports/visits.zip?status=approved&reason=Monthly+return&format=jsonl");
  });
});
