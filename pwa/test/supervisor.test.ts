import { describe, expect, it } from "vitest";

import { ApiError, Api, NetworkError } from "../src/api";
import {
  barPercents,
  checkFilters,
  checkReason,
  checkReview,
  emptyFilters,
  errorMessage,
  exportUrl,
  filtersFromQuery,
  filtersToParams,
  filtersToQuery,
  formatDay,
  formatDuration,
  formatShare,
  formatTarget,
  needsSignIn,
  sectionValue,
  startOfLocalDay,
  SupervisorApi,
  type Filters,
} from "../src/supervisor-api";
import { displayValue, labelOf, opLabel } from "../src/ui/supervisor/display";
import { openConflicts } from "../src/ui/supervisor/History";
import { photoAlt } from "../src/ui/supervisor/PhotoGallery";
import { parseRoute } from "../src/ui/router";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(answers: Array<Response | Error>) {
  const calls: Call[] = [];
  const fetchFn = async (url: string, init?: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, api: new SupervisorApi(new Api(fetchFn)) };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function apiError(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message, details: {} } });
}

function filters(over: Partial<Filters>): Filters {
  return { ...emptyFilters(), ...over };
}

describe("durations", () => {
  it("formats report-to-arrival as hours and minutes", () => {
    expect(formatDuration(0)).toBe("under 1 min");
    expect(formatDuration(29)).toBe("under 1 min");
    expect(formatDuration(31)).toBe("1 min");
    expect(formatDuration(45 * 60)).toBe("45 min");
    expect(formatDuration(3600)).toBe("1 h");
    expect(formatDuration(5400)).toBe("1 h 30 min");
    expect(formatDuration(9000.4)).toBe("2 h 30 min");
    expect(formatDuration(26 * 3600 + 59)).toBe("26 h 1 min");
    expect(formatDuration(3 * 86400)).toBe("72 h");
    // 59 min 40 s rounds up to a whole hour, not "60 min".
    expect(formatDuration(3580)).toBe("1 h");
  });

  it("says when there is nothing to measure, and when arrival is before the report", () => {
    expect(formatDuration(null)).toBe("No data");
    expect(formatDuration(undefined)).toBe("No data");
    expect(formatDuration(Number.NaN)).toBe("No data");
    expect(formatDuration(-1800)).toBe("30 min before the report");
  });

  it("words the attendance target", () => {
    expect(formatTarget(86400)).toBe("24 hours");
    expect(formatTarget(3600)).toBe("1 hour");
    expect(formatTarget(5400)).toBe("90 minutes");
  });
});

describe("shares", () => {
  it("formats shares as whole percentages", () => {
    expect(formatShare(1)).toBe("100%");
    expect(formatShare(0)).toBe("0%");
    expect(formatShare(0.6667)).toBe("67%");
    expect(formatShare(0.5)).toBe("50%");
    expect(formatShare(null)).toBe("No data");
  });

  it("never rounds a real part away to 0% or 100%", () => {
    expect(formatShare(0.004)).toBe("under 1%");
    expect(formatShare(0.996)).toBe("over 99%");
  });

  it("scales bars to the largest value, with a sliver for any non-zero value", () => {
    expect(barPercents([10, 5, 0, null])).toEqual([100, 50, 0, 0]);
    expect(barPercents([1000, 1])).toEqual([100, 1]);
    expect(barPercents([])).toEqual([]);
    expect(barPercents([0, 0])).toEqual([0, 0]);
  });
});

describe("filters", () => {
  it("turn local days into the API's instants, the end day inclusive", () => {
    const p = filtersToParams(filters({ date_from: "2026-11-01", date_to: "2026-11-30" }));
    expect(p.get("date_from")).toBe(new Date(2026, 10, 1).toISOString());
    expect(p.get("date_to")).toBe(new Date(2026, 11, 1).toISOString());
    expect(startOfLocalDay("2026-12-31", 1)).toBe(new Date(2027, 0, 1).toISOString());
    expect(startOfLocalDay("31/12/2026")).toBeNull();
    expect(formatDay("2026-11-03")).toBe("3 Nov 2026");
  });

  it("leave out empty filters and upper-case references and postcodes", () => {
    const p = filtersToParams(filters({ status: "completed", crime_reference: " 22/501 ", postcode: "wr3", team: "2", officer: "" }));
    expect([...p.keys()].sort()).toEqual(["crime_reference", "postcode", "status", "team"]);
    expect(p.get("crime_reference")).toBe("22/501");
    expect(p.get("postcode")).toBe("WR3");
  });

  it("round-trip through the list's address", () => {
    const f = filters({ date_from: "2026-11-01", status: "returned", postcode: "WR3 8JE" });
    const q = filtersToQuery(f);
    expect(filtersFromQuery(q)).toEqual(f);
    expect(filtersToQuery(emptyFilters())).toBe("");
    expect(parseRoute(`#/visits?${q}`)).toEqual({ name: "sup-visits", query: q });
    expect(parseRoute("#/visits/abc")).toEqual({ name: "sup-visit", id: "abc" });
    expect(parseRoute("#/figures")).toEqual({ name: "sup-figures" });
    expect(parseRoute("#/export")).toEqual({ name: "sup-export" });
  });

  it("are checked before anything is sent", () => {
    expect(checkFilters(emptyFilters())).toEqual([]);
    expect(checkFilters(filters({ date_from: "2026-11-30", date_to: "2026-11-01" })).map((p) => p.field)).toEqual(["date_to"]);
    expect(checkFilters(filters({ date_from: "2026-11-30", date_to: "2026-11-30" }))).toEqual([]);
    expect(checkFilters(filters({ postcode: "WR3-8JE" })).map((p) => p.field)).toEqual(["postcode"]);
    expect(checkFilters(filters({ crime_reference: "x".repeat(41) })).map((p) => p.field)).toEqual(["crime_reference"]);
  });
});

describe("export", () => {
  it("asks for a reason of 5 to 500 characters", () => {
    expect(checkReason("")).toMatch(/Enter the reason/);
    expect(checkReason("   abc ")).toMatch(/at least 5/);
    expect(checkReason("x".repeat(501))).toMatch(/500 characters or fewer/);
    expect(checkReason("Monthly pledge return")).toBeNull();
  });

  it("builds a same-origin download URL with the filters and the reason", () => {
    const url = exportUrl(filters({ status: "approved", team: "1" }), "  Monthly pledge return ");
    expect(url.startsWith("/api/exports/visits.csv?")).toBe(true);
    const params = new URLSearchParams(url.split("?")[1]);
    expect(params.get("status")).toBe("approved");
    expect(params.get("team")).toBe("1");
    expect(params.get("reason")).toBe("Monthly pledge return");
  });
});

describe("review", () => {
  it("needs a note to return a visit, not to approve it", () => {
    expect(checkReview("return", "  ")).toMatch(/note/);
    expect(checkReview("approve", "")).toBeNull();
    expect(checkReview("return", "Add the CSI reference")).toBeNull();
    expect(checkReview("approve", "x".repeat(2001))).toMatch(/2,000/);
  });
});

describe("the supervisor API client", () => {
  it("lists visits with filters, a cursor and a limit", async () => {
    const { calls, api } = fakeFetch([json(200, { visits: [], next_cursor: "abc" })]);
    const page = await api.listVisits(filters({ status: "completed" }), "cur/1", 10);
    expect(page.next_cursor).toBe("abc");
    const url = new URL(calls[0]!.url, "http://x");
    expect(url.pathname).toBe("/api/visits");
    expect(url.searchParams.get("status")).toBe("completed");
    expect(url.searchParams.get("cursor")).toBe("cur/1");
    expect(url.searchParams.get("limit")).toBe("10");
    expect(calls[0]!.init?.cache).toBe("no-store");
    expect(calls[0]!.init?.credentials).toBe("same-origin");
  });

  it("posts a review with the decision and the trimmed note", async () => {
    const { calls, api } = fakeFetch([json(200, { id: "v1", status: "returned", rev: 3 })]);
    const result = await api.review("v1", "return", "  Add the CSI reference \n");
    expect(result.status).toBe("returned");
    expect(calls[0]!.url).toBe("/api/visits/v1/review");
    expect(calls[0]!.init?.method).toBe("POST");
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual({ decision: "return", note: "Add the CSI reference" });
  });

  it("asks for figures with no query string when nothing is filtered", async () => {
    const { calls, api } = fakeFetch([json(200, { target_seconds: 86400 }), json(200, { target_seconds: 86400 })]);
    await api.stats(emptyFilters());
    await api.stats(filters({ date_from: "2026-11-01" }));
    expect(calls[0]!.url).toBe("/api/stats");
    expect(calls[1]!.url.startsWith("/api/stats?date_from=")).toBe(true);
  });

  it("shows the server's own words for 409, 403 and 422", async () => {
    const { api } = fakeFetch([
      apiError(409, "not_reviewable", "Only a completed visit can be reviewed; this one is approved."),
      apiError(403, "own_visit", "Nobody reviews their own visit."),
      apiError(422, "validation_failed", "a returned visit needs a note saying what to fix"),
    ]);
    for (const expected of [
      "Only a completed visit can be reviewed; this one is approved.",
      "Nobody reviews their own visit.",
      "a returned visit needs a note saying what to fix",
    ]) {
      const exc = await api.review("v1", "approve", "").catch((e: unknown) => e);
      expect(exc).toBeInstanceOf(ApiError);
      expect(errorMessage(exc)).toBe(expected);
      expect(needsSignIn(exc)).toBe(false);
    }
  });

  it("asks for a sign-in on 401 and says the workspace is online only when there is no connection", async () => {
    const { api } = fakeFetch([apiError(401, "session_expired", "Sign in again."), new TypeError("Failed to fetch")]);
    const expired = await api.visit("v1").catch((e: unknown) => e);
    expect(needsSignIn(expired)).toBe(true);
    expect(errorMessage(expired)).toMatch(/session has ended/);
    const offline = await api.visit("v1").catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(NetworkError);
    expect(errorMessage(offline)).toMatch(/online only/);
    expect(errorMessage(new ApiError(500, "http_500", "boom"))).toMatch(/500/);
  });
});

describe("reading a visit", () => {
  it("reads dotted paths in the nested sections", () => {
    const sections = { victim: { name: "Margaret Ellis", vulnerabilities: ["elderly"] }, reference: null };
    expect(sectionValue(sections, "victim.name")).toBe("Margaret Ellis");
    expect(sectionValue(sections, "reference.crime_reference")).toBeUndefined();
    expect(sectionValue(sections, "offence.type")).toBeUndefined();
  });

  it("shows values as words with the officer app's labels", () => {
    expect(displayValue("visits", "offence.type", "car_key")).toBe("Car-key burglary");
    expect(displayValue("visits", "victim.vulnerabilities", ["elderly", "repeat_victim"])).toBe("Elderly, Repeat victim");
    expect(displayValue("visits", "victim.victims_code_given", true)).toBe("Yes");
    expect(displayValue("visits", "enquiry.csi_requested", false)).toBe("No");
    expect(displayValue("visits", "offence.rooms_entered", ["kitchen", "hall"])).toBe("kitchen, hall");
    expect(displayValue("visits", "victim.name", null)).toBe("");
    expect(displayValue("visits", "status", "returned")).toBe("Returned");
    expect(displayValue("property_items", "estimated_value_pence", 125000)).toBe("£1,250.00");
    expect(displayValue("kit_issues", "registration", "to_do")).toBe("Still to do");
    expect(displayValue("visits", "enquiry.house_to_house", [{ address: "12 Lansdowne Crescent", result: "no_answer", kit_left: true }])).toBe(
      "12 Lansdowne Crescent, No answer, kit left",
    );
    expect(labelOf("visits", "review.note")).toBe("Supervisor's note");
    expect(labelOf("visits", "enquiry.csi_reference")).toBe("CSI reference");
    expect(labelOf("kit_issues", "kit_code")).toBe("Kit code");
    expect(opLabel("review")).toBe("Reviewed");
  });

  it("gives photos alt text from their category and caption", () => {
    const base = { id: "p", rev: 1, conflicts: [], urls: { thumb: "t", display: "d", original: "o" } };
    expect(photoAlt({ ...base, category: "point_of_entry", caption: "Rear door, forced" }, 1)).toBe("Point of entry: Rear door, forced");
    expect(photoAlt({ ...base, category: "damage", caption: null }, 2)).toBe("Damage photo 2");
    expect(photoAlt({ ...base }, 3)).toBe("Uncategorised photo 3");
  });

  it("collects open conflicts from the visit and its child records", () => {
    const c = { field: "victim.name", value: "M Ellis", rev: 2, replaced_by_rev: 3, author: null };
    const detail = {
      conflicts: [c],
      property_items: [],
      kit_issues: [{ id: "k", rev: 2, conflicts: [{ ...c, field: "kit_code", value: "SW-1" }] }],
      photos: [],
    } as unknown as Parameters<typeof openConflicts>[0];
    expect(openConflicts(detail).map((o) => `${o.where}/${o.conflict.field}`)).toEqual(["Visit/victim.name", "SmartWater kit 1/kit_code"]);
  });
});
