/**
 * The checks the administrator's forms run before sending, the mapping of the API's errors onto
 * the fields they name, the officers' CSV header check and the audit's labels: pure functions,
 * no I/O (the client that sends is `admin-api.ts`, which re-exports these).
 */

import { ApiError } from "./api";
import type { AdminOfficer, AdviceVersion, AuditRow } from "./admin-api";
import { errorMessage } from "./supervisor-api";

// --- roles and scopes, as the forms offer them -----------------------------------------

export type Role = "officer" | "supervisor" | "admin" | "auditor";
export type Scope = "team" | "area";

export const ROLES: Array<{ value: Role; label: string }> = [
  { value: "officer", label: "Officer" },
  { value: "supervisor", label: "Supervisor" },
  { value: "admin", label: "Administrator" },
  { value: "auditor", label: "Auditor (reads the audit only)" },
];

export const SCOPES: Array<{ value: Scope; label: string }> = [
  { value: "team", label: "Their own team" },
  { value: "area", label: "Every team in their area" },
];

export function roleLabel(role: string): string {
  return ROLES.find((r) => r.value === role)?.label.replace(/ \(.*\)$/, "") ?? role;
}

// --- field problems ---------------------------------------------------------------------

/** What is wrong with one field of a form (`field` is the API's name for it). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The form's problems keyed by field, first message wins. */
export function byField(problems: FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) if (!(p.field in out)) out[p.field] = p.message;
  return out;
}

/** Conflicts the server answers by code, and the field each is about. */
const CONFLICT_FIELDS: Record<string, string> = {
  collar_taken: "collar_number",
  team_in_other_area: "area",
  team_exists: "name",
  area_exists: "name",
  advice_item_exists: "item_id",
  not_an_active_officer: "officer_id",
  own_role: "role",
};

/**
 * An API error as field problems: a 422's `details.fields` (a body field is named as the model
 * names it, `csv.role` for a column), a refusal naming its field in `details.field`, or a 409
 * whose code is about one field. Anything else is one problem with the field "" (shown above
 * the form).
 */
export function problemsFrom(exc: unknown): FieldProblem[] {
  if (exc instanceof ApiError) {
    const fields = exc.details["fields"];
    if (exc.status === 422 && Array.isArray(fields) && fields.length > 0) {
      return fields.map((f: { field?: unknown; message?: unknown }) => ({
        field: typeof f.field === "string" ? f.field.replace(/^body\./, "") : "",
        message: typeof f.message === "string" ? f.message : exc.message,
      }));
    }
    // Some refusals name their field in the details (a 404 "No such team." for `team_id`).
    const named = exc.details["field"];
    if (typeof named === "string" && named) return [{ field: named, message: exc.message }];
    const field = CONFLICT_FIELDS[exc.code];
    if (field) return [{ field, message: exc.message }];
  }
  return [{ field: "", message: errorMessage(exc) }];
}

/** One line for an alert: "Collar number: collar number 1234 already exists". */
export function describeProblems(problems: FieldProblem[], labels: Record<string, string>): string {
  return problems.map((p) => (p.field ? `${labels[p.field] ?? p.field}: ${p.message}` : p.message)).join("; ");
}

// --- checks before sending (the server checks again) --------------------------------------

const COLLAR = /^[A-Za-z0-9]{1,20}$/;
const PHONE = /^\+?[0-9 ()-]{6,31}$/;
const EMAIL = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$/;
const ITEM_ID = /^[a-z0-9][a-z0-9_-]{0,59}$/;
const TAG = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Accounts whose name or collar number contains the text typed (case and spaces aside). */
export function findOfficers(officers: AdminOfficer[], text: string): AdminOfficer[] {
  const t = text.trim().toLowerCase().replace(/\s+/g, " ");
  if (!t) return officers;
  return officers.filter((o) => o.collar_number.toLowerCase().includes(t) || o.display_name.toLowerCase().replace(/\s+/g, " ").includes(t));
}

export interface OfficerForm {
  collar_number: string;
  display_name: string;
  role: Role;
  team: string;
  area: string;
  supervision_scope: Scope;
  contact_phone: string;
  contact_email: string;
}

export function emptyOfficerForm(): OfficerForm {
  return { collar_number: "", display_name: "", role: "officer", team: "", area: "", supervision_scope: "team", contact_phone: "", contact_email: "" };
}

function checkContacts(phone: string, email: string, out: FieldProblem[]): void {
  const p = phone.trim();
  const e = email.trim();
  if (p && (p.length > 32 || !PHONE.test(p))) out.push({ field: "contact_phone", message: "Enter a phone number of digits, spaces, brackets or dashes (6 to 31), or leave it empty" });
  if (e && (e.length > 254 || !EMAIL.test(e))) out.push({ field: "contact_email", message: "Enter an e-mail address such as name@police.uk, or leave it empty" });
}

/** What is wrong with a new account before it is sent. */
export function checkOfficer(f: OfficerForm): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!f.collar_number.trim()) out.push({ field: "collar_number", message: "Enter the collar number" });
  else if (!COLLAR.test(f.collar_number.trim())) out.push({ field: "collar_number", message: "Letters and digits only, up to 20" });
  if (!f.display_name.trim()) out.push({ field: "display_name", message: "Enter the name shown in the app, for example PC Sam Patel" });
  else if (f.display_name.trim().length > 120) out.push({ field: "display_name", message: "Up to 120 characters" });
  if (!f.team.trim()) out.push({ field: "team", message: "Choose or type the team" });
  else if (f.team.trim().length > 120) out.push({ field: "team", message: "Up to 120 characters" });
  if (f.area.trim().length > 120) out.push({ field: "area", message: "Up to 120 characters" });
  checkContacts(f.contact_phone, f.contact_email, out);
  return out;
}

/** The body of `POST /api/admin/officers` (an empty area is left out: the team's own). */
export function officerBody(f: OfficerForm): Record<string, string> {
  const body: Record<string, string> = {
    collar_number: f.collar_number.trim(),
    display_name: f.display_name.trim(),
    role: f.role,
    team: f.team.trim(),
    supervision_scope: f.supervision_scope,
  };
  if (f.area.trim()) body["area"] = f.area.trim();
  if (f.contact_phone.trim()) body["contact_phone"] = f.contact_phone.trim();
  if (f.contact_email.trim()) body["contact_email"] = f.contact_email.trim();
  return body;
}

export interface OfficerEdit {
  display_name: string;
  contact_phone: string;
  contact_email: string;
  role: Role;
  supervision_scope: Scope;
}

export function editOf(o: AdminOfficer): OfficerEdit {
  return { display_name: o.display_name, contact_phone: o.contact_phone, contact_email: o.contact_email, role: o.role, supervision_scope: o.supervision_scope };
}

export function checkEdit(e: OfficerEdit): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!e.display_name.trim()) out.push({ field: "display_name", message: "Enter the name shown in the app" });
  else if (e.display_name.trim().length > 120) out.push({ field: "display_name", message: "Up to 120 characters" });
  checkContacts(e.contact_phone, e.contact_email, out);
  return out;
}

/** Only what changed (the PATCH takes any of the fields); empty when nothing did. */
export function editChanges(before: AdminOfficer, e: OfficerEdit): Partial<OfficerEdit> {
  const out: Partial<OfficerEdit> = {};
  if (e.display_name.trim() !== before.display_name) out.display_name = e.display_name.trim();
  if (e.contact_phone.trim() !== before.contact_phone) out.contact_phone = e.contact_phone.trim();
  if (e.contact_email.trim() !== before.contact_email) out.contact_email = e.contact_email.trim();
  if (e.role !== before.role) out.role = e.role;
  if (e.supervision_scope !== before.supervision_scope) out.supervision_scope = e.supervision_scope;
  return out;
}

/** A reason kept in the audit log: `min` to `max` characters once trimmed, or why not. */
export function checkReasonText(reason: string, min: number, max: number, what = "the reason"): string | null {
  const r = reason.trim();
  if (!r) return `Enter ${what}: it is kept in the audit log`;
  if (r.length < min) return `At least ${min} characters`;
  if (r.length > max) return `${max} characters or fewer`;
  return null;
}

/** A visit or officer id as pasted: trimmed, lower case; null if it is not a UUID. */
export function normaliseId(text: string): string | null {
  const t = text.trim().toLowerCase();
  return UUID.test(t) ? t : null;
}

export interface AdviceForm {
  item_id: string;
  category: string;
  title: string;
  body: string;
  tags: string;
  position: string;
}

export function emptyAdviceForm(): AdviceForm {
  return { item_id: "", category: "", title: "", body: "", tags: "", position: "" };
}

export function adviceFormOf(v: AdviceVersion): AdviceForm {
  return { item_id: v.item_id, category: v.category, title: v.title, body: v.body, tags: v.tags.join(", "), position: String(v.position) };
}

/** Tags as typed ("doors, windows"): split on commas or spaces, empties dropped. */
export function parseTags(text: string): string[] {
  return text.split(/[,\s]+/).map((t) => t.trim().toLowerCase()).filter(Boolean);
}

export function checkAdvice(f: AdviceForm, isNew: boolean): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (isNew && f.item_id.trim() && !ITEM_ID.test(f.item_id.trim())) {
    out.push({ field: "item_id", message: "Lower-case letters, digits, - and _ only, up to 60, starting with a letter or digit; or leave it empty" });
  }
  if (!f.category.trim()) out.push({ field: "category", message: "Enter the category, for example Doors" });
  else if (f.category.trim().length > 40) out.push({ field: "category", message: "Up to 40 characters" });
  if (!f.title.trim()) out.push({ field: "title", message: "Enter the title the officer ticks" });
  else if (f.title.trim().length > 160) out.push({ field: "title", message: "Up to 160 characters" });
  if (!f.body.trim()) out.push({ field: "body", message: "Enter the advice given to the victim" });
  else if (f.body.trim().length > 2000) out.push({ field: "body", message: "Up to 2,000 characters" });
  const tags = parseTags(f.tags);
  if (tags.length > 10) out.push({ field: "tags", message: "Up to 10 tags" });
  else if (tags.some((t) => !TAG.test(t))) out.push({ field: "tags", message: "Tags are lower-case letters, digits, - and _ only, up to 40 each" });
  const pos = f.position.trim();
  if (pos && !(/^\d+$/.test(pos) && Number(pos) <= 10_000)) out.push({ field: "position", message: "A whole number from 0 to 10,000, or leave it empty" });
  return out;
}

/** The body of a new item (`POST`) or of a new version (`PUT`: only what changed). */
export function adviceBody(f: AdviceForm, before: AdviceVersion | null): Record<string, unknown> {
  const full: Record<string, unknown> = {
    category: f.category.trim(),
    title: f.title.trim(),
    body: f.body.trim(),
    tags: parseTags(f.tags),
  };
  if (f.position.trim()) full["position"] = Number(f.position.trim());
  if (!before) {
    if (f.item_id.trim()) full["item_id"] = f.item_id.trim();
    return full;
  }
  const out: Record<string, unknown> = {};
  if (full["category"] !== before.category) out["category"] = full["category"];
  if (full["title"] !== before.title) out["title"] = full["title"];
  if (full["body"] !== before.body) out["body"] = full["body"];
  if ((full["tags"] as string[]).join(",") !== before.tags.join(",")) out["tags"] = full["tags"];
  if (full["position"] !== undefined && full["position"] !== before.position) out["position"] = full["position"];
  return out;
}

/** The versions of each item, in display order, newest version first within an item. */
export function adviceItems(versions: AdviceVersion[]): Array<{ current: AdviceVersion; older: AdviceVersion[] }> {
  const groups = new Map<string, AdviceVersion[]>();
  for (const v of versions) {
    const list = groups.get(v.item_id) ?? [];
    list.push(v);
    groups.set(v.item_id, list);
  }
  const items = [...groups.values()].map((list) => {
    const sorted = [...list].sort((a, b) => b.version - a.version);
    const current = sorted.find((v) => v.current) ?? sorted[0]!;
    return { current, older: sorted.filter((v) => v !== current) };
  });
  return items.sort((a, b) => Number(a.current.retired) - Number(b.current.retired) || a.current.position - b.current.position || a.current.item_id.localeCompare(b.current.item_id));
}

// --- the officers' CSV file -------------------------------------------------------------

export const CSV_REQUIRED = ["collar_number", "display_name", "role", "team"] as const;
export const CSV_OPTIONAL = ["area", "supervision_scope", "contact_phone", "contact_email"] as const;
export const CSV_MAX_BYTES = 1_000_000;

/** The header row's column names (the first line, split on commas, quotes and BOM removed). */
export function csvHeader(text: string): string[] {
  const first = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  return first.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1").trim().toLowerCase());
}

/** What is wrong with a file before it is sent: empty, too large, or a required column missing. */
export function checkCsv(text: string): string | null {
  if (!text.trim()) return "The file is empty";
  if (new Blob([text]).size > CSV_MAX_BYTES) return "The file is larger than 1 MB: split it into smaller files";
  const header = csvHeader(text);
  const missing = CSV_REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) return `The header row (line 1) lacks the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`;
  return null;
}

// --- the audit ---------------------------------------------------------------------------

export const AUDIT_ACTIONS: Record<string, string> = {
  collect: "Collected",
  alter: "Changed",
  consult: "Viewed",
  disclose: "Exported (disclosed)",
  combine: "Combined",
  erase: "Erased",
  login: "Signed in",
  login_failed: "Sign-in failed",
  denied: "Refused",
  revoke: "Revoked",
};

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action.charAt(0).toUpperCase() + action.slice(1).replace(/_/g, " ");
}

export function actorLabel(row: AuditRow): string {
  if (row.actor) return `${row.actor.display_name} (${row.actor.collar_number}), ${roleLabel(row.actor.role).toLowerCase()}`;
  return row.actor_id ? `Unknown account ${row.actor_id}` : "The system";
}

export interface AuditFilters {
  record_type: string;
  record_id: string;
  actor_id: string;
  action: string;
  date_from: string;
  date_to: string;
}

export function emptyAuditFilters(): AuditFilters {
  return { record_type: "", record_id: "", actor_id: "", action: "", date_from: "", date_to: "" };
}
