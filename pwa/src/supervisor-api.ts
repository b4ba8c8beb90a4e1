/**
 * The supervisor's workspace talking to the server: visit list and detail, review, figures and
 * the CSV export URL, plus the formatting the screens share (durations, shares, dates).
 *
 * Online only: every call goes through `Api` (same-origin fetch, `cache: "no-store"`); nothing
 * here is written to IndexedDB, CacheStorage or Web Storage (victims' data stays on the server).
 */

import { Api, ApiError, NetworkError } from "./api";
import type { AftercareSection } from "./aftercare-api";
import type { Conflict } from "./sync";

// --- wire shapes (server/visits/schemas.py, server/stats/schemas.py) ------------------------

export type VisitStatus = "draft" | "completed" | "returned" | "approved";
export type ReviewDecision = "approve" | "return";

export interface PersonRef {
  id: string;
  display_name: string;
  collar_number: string;
}

export interface VisitSummary {
  id: string;
  status: VisitStatus;
  crime_reference: string | null;
  reported_at: string | null;
  arrived_at: string | null;
  address_line1: string | null;
  town: string | null;
  postcode: string | null;
  officer: PersonRef;
  team_id: number;
  area_id: number;
  completed_at: string | null;
  created_at: string;
}

export interface VisitPage {
  visits: VisitSummary[];
  next_cursor: string | null;
}

/** A child record as the detail returns it: flat dotted fields plus id, rev and conflicts. */
export interface ChildRecord {
  id: string;
  rev: number;
  conflicts: Conflict[];
  [path: string]: unknown;
}

export interface PhotoRecord extends ChildRecord {
  urls: { thumb: string; display: string; original: string };
}

export interface AdviceGiven {
  id: string;
  version: number;
  title: string | null;
}

export interface ReviewEntry {
  decision: ReviewDecision;
  note: string;
  reviewer: PersonRef;
  visit_rev: number;
  at: string;
}

export interface RevisionEntry {
  collection: string;
  record_id: string;
  rev: number;
  op: string;
  changes: Record<string, unknown>;
  previous: Record<string, unknown>;
  conflicts_added: unknown[];
  author: string | null;
  actor: string | null;
  device_at: string | null;
  at: string;
}

export interface VisitDetail {
  id: string;
  rev: number;
  status: VisitStatus;
  /** The nested sections (`reference.crime_reference` is `sections.reference.crime_reference`). */
  sections: Record<string, unknown>;
  officer: PersonRef;
  team_id: number;
  area_id: number;
  review_note: string | null;
  completed_at: string | null;
  approved_at: string | null;
  property_items: ChildRecord[];
  kit_issues: ChildRecord[];
  photos: PhotoRecord[];
  advice: AdviceGiven[];
  reviews: ReviewEntry[];
  revisions: RevisionEntry[];
  conflicts: Conflict[];
  /** Addenda, victim updates, the survey and leave-behinds (docs/aftercare.md). */
  aftercare?: AftercareSection;
}

export interface ReviewResult {
  id: string;
  status: VisitStatus;
  rev: number;
}

export interface StatsGroup {
  key: string;
  name: string;
  visits: number;
  median_to_arrival_seconds: number | null;
  p90_to_arrival_seconds: number | null;
  within_target_share: number | null;
  kits_issued: number;
  advice_given_share: number | null;
  csi_requested: number;
  repeat_victims: number;
  vulnerable_victims: number;
  awaiting_review: number;
}

export interface Stats {
  target_seconds: number;
  total: StatsGroup;
  by_area: StatsGroup[];
  by_team: StatsGroup[];
  by_officer: StatsGroup[];
}

// --- filters -----------------------------------------------------------------------------

/** The filters as the forms hold them: dates as `YYYY-MM-DD` (local days), the rest as typed. */
export interface Filters {
  date_from: string;
  date_to: string;
  status: string;
  crime_reference: string;
  postcode: string;
  area: string;
  team: string;
  officer: string;
}

export const FILTER_KEYS = ["date_from", "date_to", "status", "crime_reference", "postcode", "area", "team", "officer"] as const;

export function emptyFilters(): Filters {
  return { date_from: "", date_to: "", status: "", crime_reference: "", postcode: "", area: "", team: "", officer: "" };
}

/** Filters from a query string (the list keeps them in its hash route so "Back" restores them). */
export function filtersFromQuery(query: string | URLSearchParams): Filters {
  const params = typeof query === "string" ? new URLSearchParams(query) : query;
  const f = emptyFilters();
  for (const key of FILTER_KEYS) f[key] = params.get(key) ?? "";
  return f;
}

/** The filters as they stand in the form (dates as typed), empty ones left out. */
export function filtersToQuery(f: Filters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = f[key].trim();
    if (v) params.set(key, v);
  }
  return params.toString();
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The start of a local calendar day as an ISO instant (UTC), or null if not a date. */
export function startOfLocalDay(day: string, plusDays = 0): string | null {
  const m = DAY.exec(day.trim());
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString();
}

export interface FilterProblem {
  field: keyof Filters;
  message: string;
}

/** What is wrong with the filters before anything is sent (the server checks again). */
export function checkFilters(f: Filters): FilterProblem[] {
  const problems: FilterProblem[] = [];
  if (f.date_from && !startOfLocalDay(f.date_from)) problems.push({ field: "date_from", message: "Enter a date, for example 23/11/2026" });
  if (f.date_to && !startOfLocalDay(f.date_to)) problems.push({ field: "date_to", message: "Enter a date, for example 30/11/2026" });
  if (f.date_from && f.date_to && startOfLocalDay(f.date_from) && startOfLocalDay(f.date_to) && f.date_to < f.date_from) {
    problems.push({ field: "date_to", message: "The end date must be the same as or after the start date" });
  }
  if (f.crime_reference.trim().length > 40) problems.push({ field: "crime_reference", message: "Up to 40 characters" });
  if (f.postcode.trim() && !/^[A-Za-z0-9 ]{1,10}$/.test(f.postcode.trim())) {
    problems.push({ field: "postcode", message: "Letters, digits and spaces only, up to 10 (a part such as WR3 works)" });
  }
  return problems;
}

/**
 * The API's query parameters: a "from" day starts at local midnight, a "to" day is inclusive
 * (the server's `date_to` is exclusive, so it gets the next midnight).
 */
export function filtersToParams(f: Filters): URLSearchParams {
  const params = new URLSearchParams();
  const from = f.date_from ? startOfLocalDay(f.date_from) : null;
  const to = f.date_to ? startOfLocalDay(f.date_to, 1) : null;
  if (from) params.set("date_from", from);
  if (to) params.set("date_to", to);
  for (const key of ["status", "crime_reference", "postcode", "area", "team", "officer"] as const) {
    const v = f[key].trim();
    if (v) params.set(key, key === "crime_reference" || key === "postcode" ? v.toUpperCase() : v);
  }
  return params;
}

export const REASON_MIN = 5;
export const REASON_MAX = 500;

/** Why an export reason is not acceptable, or null when it is (the server's own bounds). */
export function checkReason(reason: string): string | null {
  const r = reason.trim();
  if (r.length === 0) return "Enter the reason for this export: it is kept in the audit log";
  if (r.length < REASON_MIN) return `The reason must be at least ${REASON_MIN} characters`;
  if (r.length > REASON_MAX) return `The reason must be ${REASON_MAX} characters or fewer`;
  return null;
}

/** Why a review cannot be sent as it is, or null. */
export function checkReview(decision: ReviewDecision, note: string): string | null {
  if (decision === "return" && !note.trim()) return "Write a note for the officer saying what to fix";
  if (note.length > 2000) return "The note must be 2,000 characters or fewer";
  return null;
}

/** What an export downloads: the one-table CSV of visits, or every collection as a zip. */
export type ExportKind = "csv" | "zip-csv" | "zip-jsonl";

/** The same-origin download (the session cookie goes with the navigation). */
export function exportUrl(f: Filters, reason: string, kind: ExportKind = "csv"): string {
  const params = filtersToParams(f);
  params.set("reason", reason.trim());
  if (kind === "csv") return `/api/exports/visits.csv?${params.toString()}`;
  params.set("format", kind === "zip-jsonl" ? "jsonl" : "csv");
  return `/api/exports/visits.zip?${params.toString()}`;
}

// --- the client --------------------------------------------------------------------------

export class SupervisorApi {
  constructor(private readonly api: Api) {}

  listVisits(f: Filters, cursor: string | null = null, limit = 25): Promise<VisitPage> {
    const params = filtersToParams(f);
    if (cursor) params.set("cursor", cursor);
    params.set("limit", String(limit));
    return this.api.get<VisitPage>(`/api/visits?${params.toString()}`);
  }

  visit(id: string): Promise<VisitDetail> {
    return this.api.get<VisitDetail>(`/api/visits/${encodeURIComponent(id)}`);
  }

  review(id: string, decision: ReviewDecision, note: string): Promise<ReviewResult> {
    return this.api.post<ReviewResult>(`/api/visits/${encodeURIComponent(id)}/review`, { decision, note: note.trim() });
  }

  /** The figures; `extra` adds the figures' own filters (week, offence type: queue-api.ts). */
  stats(f: Filters, extra?: URLSearchParams): Promise<Stats> {
    const params = filtersToParams(f);
    for (const [k, v] of extra ?? []) params.set(k, v);
    const q = params.toString();
    return this.api.get<Stats>(`/api/stats${q ? `?${q}` : ""}`);
  }

  /** A cheap check that the session is still alive (before navigating to a download). */
  me(): Promise<{ officer: { role: string } }> {
    return this.api.get("/api/me");
  }
}

/** The session has ended: the screen offers a passkey sign-in and tries again. */
export function needsSignIn(exc: unknown): boolean {
  return exc instanceof ApiError && exc.status === 401;
}

/** A message for the supervisor: the server's own words for 4xx answers. */
export function errorMessage(exc: unknown): string {
  if (exc instanceof NetworkError) return "No connection to the server. The supervisor's workspace works online only: check the connection and try again.";
  if (exc instanceof ApiError) {
    if (exc.status === 401) return "Your session has ended. Sign in again with your passkey.";
    if (exc.status === 404) return exc.message && exc.message !== "Not Found" ? exc.message : "Not found, or not in your team or area.";
    if (exc.status === 429 || exc.status === 503) return "The server is busy. Try again in a moment.";
    if (exc.status >= 500) return `The server could not do that (${exc.status}). Try again; if it keeps happening, tell the service desk.`;
    return exc.message;
  }
  return exc instanceof Error ? exc.message : String(exc);
}

// --- formatting --------------------------------------------------------------------------

/** A duration as hours and minutes: "45 min", "2 h 30 min", "26 h", "under 1 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "No data";
  const negative = seconds < 0;
  const minutes = Math.round(Math.abs(seconds) / 60);
  let text: string;
  if (minutes === 0) text = "under 1 min";
  else if (minutes < 60) text = `${minutes} min`;
  else {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    text = m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  return negative ? `${text} before the report` : text;
}

/** A share (0..1) as a whole percentage: "67%"; null is "No data". */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "No data";
  const pct = Math.round(share * 100);
  // Never round a real part to 0% or 100%.
  if (pct === 0 && share > 0) return "under 1%";
  if (pct === 100 && share < 1) return "over 99%";
  return `${pct}%`;
}

/** The attendance target as words: "24 hours", "90 minutes". */
export function formatTarget(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} ${seconds === 3600 ? "hour" : "hours"}`;
  return `${Math.round(seconds / 60)} minutes`;
}

/** A date and time for people in the UK: "23 Nov 2026, 08:30". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** A form's `YYYY-MM-DD` day as "23 Nov 2026". */
export function formatDay(day: string): string {
  const iso = startOfLocalDay(day);
  if (!iso) return day;
  return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

/** Pence as pounds: "£1,250.00". */
export function formatPence(pence: number): string {
  return (pence / 100).toLocaleString("en-GB", { style: "currency", currency: "GBP" });
}

/** Bar lengths as percentages of the largest value (a visible sliver for any non-zero value). */
export function barPercents(values: Array<number | null>): number[] {
  const max = Math.max(0, ...values.map((v) => (v === null || !Number.isFinite(v) ? 0 : v)));
  return values.map((v) => {
    if (v === null || !Number.isFinite(v) || v <= 0 || max === 0) return 0;
    return Math.max(1, Math.round((v / max) * 1000) / 10);
  });
}

/** Reading a dotted path in the nested sections ("victim.name"). */
export function sectionValue(sections: Record<string, unknown>, path: string): unknown {
  let node: unknown = sections;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
