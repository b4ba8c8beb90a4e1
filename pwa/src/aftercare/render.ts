/**
 * The leave-behind rendered from the force's texts (docs/aftercare.md, "Render"; the reference
 * is `render_text` in server/aftercare/content.py): sections in a fixed order, a blank line
 * between them, `{placeholders}` filled. The stored text keeps `{survey_link}` literally; the
 * screen, the printout and the QR code show the real link.
 */

export type LanguageCode = "en" | "cy";

/** `GET /api/leave-behind` (and `/versions/{n}`). */
export interface LeaveBehindContent {
  version: number;
  languages: LanguageCode[];
  keys: string[];
  placeholders: string[];
  texts: Record<string, Record<string, string>>;
  created_at: string;
}

export const LANGUAGE_NAMES: Record<LanguageCode, string> = { en: "English", cy: "Cymraeg (Welsh)" };

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** Replace `{placeholders}` with their values; unknown ones stay as written. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.prototype.hasOwnProperty.call(values, name) ? (values[name] as string) : whole));
}

/** One section of the page: its heading (null for the force name and title) and its lines. */
export interface Block {
  key: string;
  heading: string | null;
  lines: string[];
}

const BODY: Array<[string, string | null, string[]]> = [
  ["visit", null, ["visit_summary", "crime_reference"]],
  ["officer", "officer_heading", ["officer_contact"]],
  ["next", "next_heading", ["what_happens_next"]],
  ["victims_code", "victims_code_heading", ["victims_code"]],
  ["support", "support_heading", ["victim_support", "other_numbers"]],
];

/**
 * The page as blocks, in order: force name, title, then the sections; advice titles under their
 * heading when any was given; the survey invitation when `survey` is true. `values` fills the
 * placeholders ({force_name} is the language's own force_name text).
 */
export function renderBlocks(texts: Record<string, string>, values: Record<string, string>, advice: string[], survey: boolean): Block[] {
  const t = (key: string): string => texts[key] ?? "";
  const all = { force_name: t("force_name"), ...values };
  const f = (key: string) => fill(t(key), all);
  const blocks: Block[] = [
    { key: "force_name", heading: null, lines: [f("force_name")] },
    { key: "title", heading: null, lines: [f("title")] },
  ];
  for (const [key, heading, lines] of BODY) blocks.push({ key, heading: heading ? f(heading) : null, lines: lines.map(f) });
  if (advice.length > 0) blocks.push({ key: "advice", heading: f("advice_heading"), lines: advice.map((a) => `- ${a}`) });
  if (survey) blocks.push({ key: "survey", heading: f("survey_heading"), lines: [f("survey_invite")] });
  return blocks;
}

/** The blocks as plain text, exactly as `render_text` joins them. */
export function blocksToText(blocks: Block[]): string {
  return blocks.map((b) => [...(b.heading === null ? [] : [b.heading]), ...b.lines].join("\n")).join("\n\n");
}

/** The text to store: every placeholder filled except `{survey_link}`, left in place. */
export function renderStoredText(texts: Record<string, string>, values: Record<string, string>, advice: string[], survey: boolean): string {
  const { survey_link: _link, ...rest } = values;
  return blocksToText(renderBlocks(texts, rest, advice, survey));
}

const MONTHS: Record<LanguageCode, string[]> = {
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  cy: ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"],
};

/**
 * The visit's date as the victim reads it, in their language ("3 December 2026", "3 Rhagfyr
 * 2026"), in the phone's time zone. Month names are our own: browsers' locale data may lack Welsh.
 */
export function visitDate(iso: string | null, language: LanguageCode, now: Date = new Date()): string {
  const d = iso ? new Date(iso) : now;
  const when = Number.isNaN(d.getTime()) ? now : d;
  return `${when.getDate()} ${MONTHS[language][when.getMonth()]} ${when.getFullYear()}`;
}
