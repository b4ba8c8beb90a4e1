/**
 * The administrator's and the auditor's workspaces talking to the server (docs/admin-api.md):
 * accounts, teams and areas, devices and enrolment codes, reassigning and erasing a visit, the
 * advice catalogue, and reading the audit. The forms' checks and the mapping of the API's errors
 * onto fields live in `admin-forms.ts`, re-exported here.
 *
 * Online only, like the supervisor's workspace: every call goes through `Api`; nothing here is
 * written to IndexedDB, CacheStorage or Web Storage.
 */

import { adviceBody, officerBody, type AdviceForm, type AuditFilters, type OfficerEdit, type OfficerForm, type Role, type Scope } from "./admin-forms";
import type { Api } from "./api";

// --- wire shapes (server/org/schemas.py, server/auth/schemas.py, server/advice/schemas.py,
// server/visits/admin_schemas.py, server/retention/schemas.py, server/oversight/schemas.py) --

export interface AdminOfficer {
  id: string;
  collar_number: string;
  display_name: string;
  role: Role;
  supervision_scope: Scope;
  team_id: number;
  team_name: string;
  area_id: number;
  area_name: string;
  active: boolean;
  contact_phone: string;
  contact_email: string;
  created_at: string;
}

export interface Team {
  id: number;
  code: string;
  name: string;
  area_id: number;
  area_name: string;
}

export interface Area {
  id: number;
  code: string;
  name: string;
}

export interface Device {
  id: string;
  officer_id: string;
  label: string;
  aaguid: string;
  backup_eligible: boolean;
  backup_state: boolean;
  prf_enabled: boolean;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface EnrolmentCode {
  officer_id: string;
  code: string;
  expires_at: string;
}

export interface ImportRow {
  row: number;
  collar_number: string;
  status: "created" | "valid" | "failed";
  officer_id: string | null;
  errors: Array<{ field: string; message: string }>;
}

export interface ImportResult {
  dry_run: boolean;
  created: number;
  failed: number;
  teams_created: string[];
  rows: ImportRow[];
}

export interface VisitOwner {
  id: string;
  status: string;
  officer_id: string;
  team_id: number;
  area_id: number;
  rev: number;
}

export type EraseBasis = "recorded_in_error" | "duplicate" | "rights_request" | "retention_review" | "other";

export const ERASE_BASES: Array<{ value: EraseBasis; label: string }> = [
  { value: "recorded_in_error", label: "Recorded in error" },
  { value: "duplicate", label: "A duplicate of another visit" },
  { value: "rights_request", label: "A data subject's rights request" },
  { value: "retention_review", label: "Retention review" },
  { value: "other", label: "Other (say why in the reason)" },
];

export interface Erasure {
  visit_id: string;
  erased_at: string;
  records: Record<string, number>;
  objects_removed: number;
  objects_pending: number;
}

export interface RetentionPeriod {
  state: "draft" | "deleted" | "submitted" | "approved";
  days: number;
  measured_from: string;
  setting: string;
  due_now: number;
}

export interface Retention {
  periods: RetentionPeriod[];
  objects_pending: number;
}

export interface AdviceVersion {
  record_id: string;
  item_id: string;
  version: number;
  category: string;
  title: string;
  body: string;
  tags: string[];
  position: number;
  current: boolean;
  retired: boolean;
  created_at: string;
}

export interface AuditActor {
  id: string;
  display_name: string;
  collar_number: string;
  role: Role;
}

export interface AuditRow {
  id: number;
  at: string;
  action: string;
  record_type: string;
  record_id: string;
  actor_id: string | null;
  actor: AuditActor | null;
  device_id: string | null;
  reason: string;
  recipient: string;
  request_id: string;
}

export interface AuditPage {
  rows: AuditRow[];
  next_cursor: string | null;
}

// The forms' checks, error mapping, CSV header check and audit labels.
export * from "./admin-forms";

// --- the client --------------------------------------------------------------------------

const enc = encodeURIComponent;

export class AdminApi {
  constructor(private readonly api: Api) {}

  officers(filter: { team_id?: number; role?: Role; active?: boolean } = {}): Promise<{ officers: AdminOfficer[] }> {
    const q = new URLSearchParams();
    if (filter.team_id !== undefined) q.set("team_id", String(filter.team_id));
    if (filter.role) q.set("role", filter.role);
    if (filter.active !== undefined) q.set("active", String(filter.active));
    const s = q.toString();
    return this.api.get(`/api/admin/officers${s ? `?${s}` : ""}`);
  }

  officer(id: string): Promise<AdminOfficer> {
    return this.api.get(`/api/admin/officers/${enc(id)}`);
  }

  createOfficer(f: OfficerForm): Promise<AdminOfficer> {
    return this.api.post("/api/admin/officers", officerBody(f));
  }

  editOfficer(id: string, changes: Partial<OfficerEdit>): Promise<AdminOfficer> {
    return this.api.request(`/api/admin/officers/${enc(id)}`, { method: "PATCH", body: changes });
  }

  moveOfficer(id: string, teamId: number, reason: string): Promise<AdminOfficer> {
    return this.api.post(`/api/admin/officers/${enc(id)}/move`, { team_id: teamId, reason: reason.trim() });
  }

  setActive(id: string, active: boolean, reason: string): Promise<AdminOfficer> {
    return this.api.post(`/api/admin/officers/${enc(id)}/${active ? "reactivate" : "deactivate"}`, { reason: reason.trim() });
  }

  enrolmentCode(id: string): Promise<EnrolmentCode> {
    return this.api.post(`/api/admin/officers/${enc(id)}/enrolment-codes`, {});
  }

  importOfficers(csv: string, dryRun: boolean): Promise<ImportResult> {
    return this.api.post("/api/admin/officers/import", { csv, dry_run: dryRun });
  }

  devices(officerId: string): Promise<{ devices: Device[] }> {
    return this.api.get(`/api/admin/devices?officer_id=${enc(officerId)}`);
  }

  revokeDevice(id: string, reason: string): Promise<Device> {
    return this.api.post(`/api/admin/devices/${enc(id)}/revoke`, { reason: reason.trim() });
  }

  teams(): Promise<{ teams: Team[] }> {
    return this.api.get("/api/admin/teams");
  }

  createTeam(name: string, area: string): Promise<Team> {
    return this.api.post("/api/admin/teams", { name: name.trim(), area: area.trim() });
  }

  renameTeam(id: number, name: string): Promise<Team> {
    return this.api.request(`/api/admin/teams/${id}`, { method: "PATCH", body: { name: name.trim() } });
  }

  areas(): Promise<{ areas: Area[] }> {
    return this.api.get("/api/admin/areas");
  }

  createArea(name: string): Promise<Area> {
    return this.api.post("/api/admin/areas", { name: name.trim() });
  }

  renameArea(id: number, name: string): Promise<Area> {
    return this.api.request(`/api/admin/areas/${id}`, { method: "PATCH", body: { name: name.trim() } });
  }

  reassignVisit(visitId: string, officerId: string, reason: string): Promise<VisitOwner> {
    return this.api.post(`/api/admin/visits/${enc(visitId)}/reassign`, { officer_id: officerId, reason: reason.trim() });
  }

  eraseVisit(visitId: string, basis: EraseBasis, reason: string): Promise<Erasure> {
    return this.api.post(`/api/admin/visits/${enc(visitId)}/erase`, { basis, reason: reason.trim() });
  }

  retention(): Promise<Retention> {
    return this.api.get("/api/admin/retention");
  }

  advice(): Promise<{ items: AdviceVersion[] }> {
    return this.api.get("/api/admin/advice");
  }

  addAdvice(f: AdviceForm): Promise<AdviceVersion> {
    return this.api.post("/api/admin/advice", adviceBody(f, null));
  }

  editAdvice(before: AdviceVersion, f: AdviceForm): Promise<AdviceVersion> {
    return this.api.request(`/api/admin/advice/${enc(before.item_id)}`, { method: "PUT", body: adviceBody(f, before) });
  }

  retireAdvice(itemId: string, reason: string): Promise<AdviceVersion> {
    return this.api.post(`/api/admin/advice/${enc(itemId)}/retire`, { reason: reason.trim() });
  }

  visitAudit(visitId: string, cursor: string | null = null, limit = 200): Promise<AuditPage> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set("cursor", cursor);
    return this.api.get(`/api/visits/${enc(visitId)}/audit?${q.toString()}`);
  }

  auditLog(f: AuditFilters, cursor: string | null = null, limit = 100): Promise<AuditPage> {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const key of ["record_type", "record_id", "actor_id", "action"] as const) if (f[key].trim()) q.set(key, f[key].trim());
    // Days as typed: "from" is that day's start, "to" is inclusive (the server's is exclusive).
    const day = (d: string, plus: number) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d.trim());
      return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plus).toISOString() : null;
    };
    const from = day(f.date_from, 0);
    const to = day(f.date_to, 1);
    if (from) q.set("date_from", from);
    if (to) q.set("date_to", to);
    if (cursor) q.set("cursor", cursor);
    return this.api.get(`/api/audit?${q.toString()}`);
  }
}
