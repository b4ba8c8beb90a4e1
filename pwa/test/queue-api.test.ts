import { describe, expect, it } from "vitest";

import { emptyFigureFilters, figureParams, formatAge, mondayOf } from "../src/queue-api";

describe("the figures' filters", () => {
  it("name a week by its Monday (UTC), whatever day was picked", () => {
    expect(mondayOf("2026-11-16")).toBe("2026-11-16");
    expect(mondayOf("2026-11-22")).toBe("2026-11-16");
    expect(mondayOf("2026-11-23")).toBe("2026-11-23");
    expect(mondayOf("23/11/2026")).toBeNull();
  });

  it("send the week to /api/stats by its Monday and to /api/pledge as a reported-at range", () => {
    const f = { ...emptyFigureFilters(), week: "2026-11-19", offence_type: "attempted", team: "3" };
    expect(figureParams(f, "stats").toString()).toBe("week=2026-11-16&offence_type=attempted&team=3");
    expect(Object.fromEntries(figureParams(f, "pledge"))).toEqual({
      date_from: "2026-11-16T00:00:00.000Z",
      date_to: "2026-11-23T00:00:00.000Z",
      offence_type: "attempted",
      team: "3",
    });
    expect(figureParams(emptyFigureFilters(), "stats").toString()).toBe("");
  });

  it("show a report's age in hours and minutes", () => {
    expect(formatAge(69 * 3600)).toBe("69 h");
    expect(formatAge(3 * 3600 + 20 * 60)).toBe("3 h 20 min");
    expect(formatAge(59)).toBe("1 min");
    expect(formatAge(null)).toBe("");
  });
});
