import { describe, expect, it } from "vitest";

import { blocksToText, fill, renderBlocks, renderStoredText, visitDate } from "../../src/aftercare/render";
import { qrModules, qrPath } from "../../src/aftercare/qr";

// A whole, small set of texts (every key the page uses), worked by hand below.
const TEXTS: Record<string, string> = {
  force_name: "Heddlu Dyfed-Powys",
  title: "Beth sy'n digwydd nesaf",
  visit_summary: "Daeth {officer_name} ar {visit_date}.",
  crime_reference: "Cyfeirnod: {crime_reference}.",
  officer_heading: "Eich swyddog",
  officer_contact: "{officer_name}. Ffôn {officer_phone}. E-bost {officer_email}.",
  next_heading: "Nesaf",
  what_happens_next: "Byddwn yn edrych ar y dystiolaeth.",
  victims_code_heading: "Cod",
  victims_code: "Eich hawliau.",
  support_heading: "Cymorth",
  victim_support: "Ffoniwch 08 08 16 89 111.",
  other_numbers: "999 neu 101. {force_name}.",
  advice_heading: "Cyngor",
  survey_heading: "Arolwg",
  survey_invite: "Dywedwch wrthym: {survey_link}",
  email_subject: "{force_name}: {crime_reference}",
};
const VALUES = {
  officer_name: "PC Sam Patel",
  officer_phone: "01234 567890",
  officer_email: "sam.patel@example.police.uk",
  crime_reference: "22/50001/26",
  visit_date: "23 Tachwedd 2026",
};

describe("leave-behind text", () => {
  it("test_fill_placeholders_unknown_left_in_place", () => {
    expect(fill("{a} and {b} and {a}", { a: "x" })).toBe("x and {b} and x");
    expect(fill("{survey_link}", {})).toBe("{survey_link}");
    expect(fill("no braces", { a: "x" })).toBe("no braces");
  });

  it("test_render_stored_text_keeps_survey_link_literal", () => {
    const text = renderStoredText(TEXTS, { ...VALUES, survey_link: "https://x/s/secret" }, ["Lock the shed"], true);
    expect(text).toBe(
      [
        "Heddlu Dyfed-Powys",
        "Beth sy'n digwydd nesaf",
        "Daeth PC Sam Patel ar 23 Tachwedd 2026.\nCyfeirnod: 22/50001/26.",
        "Eich swyddog\nPC Sam Patel. Ffôn 01234 567890. E-bost sam.patel@example.police.uk.",
        "Nesaf\nByddwn yn edrych ar y dystiolaeth.",
        "Cod\nEich hawliau.",
        "Cymorth\nFfoniwch 08 08 16 89 111.\n999 neu 101. Heddlu Dyfed-Powys.",
        "Cyngor\n- Lock the shed",
        "Arolwg\nDywedwch wrthym: {survey_link}",
      ].join("\n\n"),
    );
    expect(text).not.toContain("secret");
  });

  it("test_render_blocks_shows_link_and_leaves_out_empty_sections", () => {
    const blocks = renderBlocks(TEXTS, { ...VALUES, survey_link: "https://x/s/abc" }, [], true);
    expect(blocks.map((b) => b.key)).toEqual(["force_name", "title", "visit", "officer", "next", "victims_code", "support", "survey"]);
    expect(blocksToText(blocks)).toContain("Dywedwch wrthym: https://x/s/abc");
    const noSurvey = renderBlocks(TEXTS, VALUES, [], false);
    expect(noSurvey.map((b) => b.key)).not.toContain("survey");
    expect(noSurvey.map((b) => b.key)).not.toContain("advice");
  });

  it("test_format_visit_date_in_english_and_welsh", () => {
    const at = new Date(2026, 11, 3, 9, 30).toISOString();
    expect(visitDate(at, "en")).toBe("3 December 2026");
    expect(visitDate(at, "cy")).toBe("3 Rhagfyr 2026");
    expect(visitDate(null, "cy", new Date(2026, 0, 31))).toBe("31 Ionawr 2026");
    expect(visitDate("not a date", "en", new Date(2026, 6, 1))).toBe("1 July 2026");
  });

  it("test_make_qr_modules_square_with_finder_patterns", () => {
    const modules = qrModules("http://localhost:8000/s/abcdefghijklmnopqrstuvwxyz");
    const n = modules.length;
    expect(n).toBeGreaterThanOrEqual(21);
    expect((n - 17) % 4).toBe(0);
    for (const row of modules) expect(row).toHaveLength(n);
    // The three finder patterns: a dark 7x7 ring at three corners.
    for (const [r, c] of [[0, 0], [0, n - 7], [n - 7, 0]] as const) {
      expect(modules[r]![c]).toBe(true);
      expect(modules[r + 6]![c + 6]).toBe(true);
      expect(modules[r + 1]![c + 1]).toBe(false);
      expect(modules[r + 3]![c + 3]).toBe(true);
    }
    expect(qrPath([[true, false], [false, true]], 1)).toBe("M1 1h1v1h-1zM2 2h1v1h-1z");
  });
});
