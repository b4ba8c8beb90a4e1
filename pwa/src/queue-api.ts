/**
 * The supervisor's queue and pledge figures talking to the server (server/reports/views.py):
 * reports awaiting a visit, assigning and closing them, and the figures over every reported
 * burglary. Online only, like supervisor-api.ts: nothing here is stored on the device.
 */

import type { Api } from "./api";
import { OFFENCE_TYPES } from "./model/fields";
import { startOfLocalDay, type Filters, type PersonRef } from "./supervisor-api";

export type ReportState = "awaiting" | "in_progress" | "visited" | "closed";
export type CloseReason = "victim_declined" | "duplicate" | "not_a_burglary";

export const CLOSE_REASONS: Array<{ value: CloseReason; label: string }> = [
  { value: "victim_declined", label: "Victim declined a visit" },
  { value: "duplicate", label: "Duplicate of another report" },
  { value: "not_a_burglary", label: "Not a burglary" },
];

/** Offence types with their labels (the officer's own list, model/fields.ts). */
export const OFFENCE_CHOICES: Array<{ value: string; label: string }> = OFFENCE_TYPES.map(([value, label]) => ({ value, label }));

export interface QueueReport {
  id: string;
  rev: number;
  crime_reference: string;
  reported_at: string;
  offence_type: string;
  address: { line1: string; line2: string | null; town: string | null; postcode: string };
  victim: { name: string; vulnerabilities: string[]; repeat_victim: boolean };
  repeat_computed: boolean;
  state: ReportState;
  area: { id: number; name: string };
  team: { id: number; name: string } | null;
  assigned_officer: PersonRef | null;
  held_by_team: boolean;
  due_at: string;
  age_seconds: number | null;
  overdue: boolean;
}

export interface QueuePage {
  reports: QueueReport[];
  next_cursor: string | null;
  target_seconds: number;
  as_of: string;
}

export interface Assignees {
  teams: Array<{ id: number; name: string; area_id: number }>;
  officers: Array<PersonRef & { team_id: number }>;
}

export interface PledgeGroup {
  key: string;
  name: string;
  reported: number;
  visited: number;
  visited_within_target: number;
  awaiting: number;
  in_progress: number;
  overdue: number;
  closed: number;
  visited_share: number | null;
  within_target_share: number | null;
  median_to_arrival_seconds: number | null;
}

export interface Pledge {
  target_seconds: number;
  as_of: string;
  total: PledgeGroup;
  by_week: PledgeGroup[];
  by_offence_type: PledgeGroup[];
  by_area: PledgeGroup[];
  by_team: PledgeGroup[];
  by_officer: PledgeGroup[];
}

/** The figures' own filters: a week (its Monday), offence type, area, team, officer. */
export interface FigureFilters {
  week: string;
  offence_type: string;
  area: string;
  team: string;
  officer: string;
}

export function emptyFigureFilters(): FigureFilters {
  return { week: "", offence_type: "", area: "", team: "", officer: "" };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Monday (UTC) of the week holding `day` (YYYY-MM-DD), or null if not a date. */
export function mondayOf(day: string): string | null {
  const m = DAY.exec(day.trim());
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(d.getTime())) return null;
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/**
 * Query parameters for `/api/stats` (which takes the week by its Monday) or `/api/pledge`
 * (which takes the same week as a reported-at range, Monday 00:00 UTC to the next).
 */
export function figureParams(f: FigureFilters, endpoint: "stats" | "pledge"): URLSearchParams {
  const params = new URLSearchParams();
  const monday = f.week ? mondayOf(f.week) : null;
  if (monday && endpoint === "stats") params.set("week", monday);
  if (monday && endpoint === "pledge") {
    const start = new Date(`${monday}T00:00:00Z`);
    params.set("date_from", start.toISOString());
    params.set("date_to", new Date(start.getTime() + 7 * 86_400_000).toISOString());
  }
  for (const key of ["offence_type", "area", "team", "officer"] as const) {
    if (f[key]) params.set(key, f[key]);
  }
  return params;
}

/** "3 h 20 min" for an age in seconds. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return "";
  const minutes = Math.max(0, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return minutes % 60 ? `${h} h ${minutes % 60} min` : `${h} h`;
}

export class QueueApi {
  constructor(private readonly api: Api) {}

  /** Open reports (awaiting a visit or with one in progress) in scope, oldest first. */
  queue(cursor: string | null = null, limit = 50): Promise<QueuePage> {
    const params = new URLSearchParams({ state: "open", limit: String(limit) });
    if (cursor) params.set("cursor", cursor);
    return this.api.get<QueuePage>(`/api/reports?${params.toString()}`);
  }

  assignees(): Promise<Assignees> {
    return this.api.get<Assignees>("/api/reports/assignees");
  }

  assign(id: string, to: { officer_id: string } | { team_id: number }): Promise<QueueReport> {
    return this.api.post<QueueReport>(`/api/reports/${encodeURIComponent(id)}/assign`, to);
  }

  close(id: string, reason: CloseReason, note: string): Promise<QueueReport> {
    return this.api.post<QueueReport>(`/api/reports/${encodeURIComponent(id)}/close`, { reason, note: note.trim() });
  }

  /** The pledge figures; `dates` (the figures' date range) applies when no week is chosen. */
  pledge(f: FigureFilters, dates?: Filters): Promise<Pledge> {
    const params = figureParams(f, "pledge");
    const from = dates?.date_from ? startOfLocalDay(dates.date_from) : null;
    const to = dates?.date_to ? startOfLocalDay(dates.date_to, 1) : null;
    if (from) params.set("date_from", from);
    if (to) params.set("date_to", to);
    const q = params.toString();
    return this.api.get<Pledge>(`/api/pledge${q ? `?${q}` : ""}`);
  }
}
