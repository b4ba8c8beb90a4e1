/**
 * The supervisor's aftercare calls (online only, nothing kept on the device): a visit's
 * aftercare, victims owed an update, satisfaction figures beside the pilot's 74%, and adding an
 * addendum online (server/aftercare/routes.py; shapes in server/aftercare/schemas.py).
 */

import type { Api } from "./api";
import type { PersonRef } from "./supervisor-api";

export interface AftercareRecord {
  id: string;
  rev: number;
  fields: Record<string, unknown>;
  author: PersonRef | null;
  recorded_at: string;
}

export interface LeaveBehindDelivery extends AftercareRecord {
  mail_status: "none" | "queued" | "sent" | "failed";
  mail_sent_at: string | null;
  mail_attempts: number;
}

export interface AftercareSection {
  addenda: AftercareRecord[];
  victim_updates: AftercareRecord[];
  next_update_due: string | null;
  survey: AftercareRecord | null;
  survey_channel: "officer" | "self" | null;
  leave_behinds: LeaveBehindDelivery[];
  kits_registered: string[];
}

export interface OverdueVisit {
  visit_id: string;
  crime_reference: string | null;
  status: string;
  officer: PersonRef;
  team_id: number;
  area_id: number;
  last_contact_at: string | null;
  last_method: string | null;
  due: string;
  days_overdue: number;
}

export interface OverduePage {
  visits: OverdueVisit[];
  next_cursor: string | null;
}

export interface SatisfactionGroup {
  key: string;
  name: string;
  responses: number;
  satisfied: number;
  satisfied_share: number | null;
}

export interface SatisfactionFigures {
  baseline_share: number;
  total: SatisfactionGroup;
  by_week: SatisfactionGroup[];
  by_area: SatisfactionGroup[];
  by_team: SatisfactionGroup[];
}

export class AftercareApi {
  constructor(private readonly api: Api) {}

  overdue(cursor: string | null = null, limit = 50): Promise<OverduePage> {
    const params = new URLSearchParams({ limit: String(limit) });
    if (cursor) params.set("cursor", cursor);
    return this.api.get<OverduePage>(`/api/aftercare/overdue?${params.toString()}`);
  }

  /** `params`: the figures page's date range (date_from, date_to as ISO instants). */
  figures(params: URLSearchParams): Promise<SatisfactionFigures> {
    const q = new URLSearchParams();
    for (const key of ["date_from", "date_to", "area", "team"]) {
      const v = params.get(key);
      if (v) q.set(key, v);
    }
    const s = q.toString();
    return this.api.get<SatisfactionFigures>(`/api/aftercare/figures${s ? `?${s}` : ""}`);
  }

  addAddendum(visitId: string, fields: Record<string, unknown>): Promise<AftercareRecord> {
    return this.api.post<AftercareRecord>(`/api/visits/${encodeURIComponent(visitId)}/addenda`, fields);
  }
}
