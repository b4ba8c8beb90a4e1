/**
 * The visit status state machine and the officer edit lock (PROTOCOL.md
 * section 9; port of sync/status.py).
 *
 *     draft --officer--> completed --supervisor--> approved
 *                         |    ^
 *           supervisor    |    | officer
 *           (with note)   v    |
 *                        returned
 *
 * A completed or approved visit is locked for the officer; only a
 * supervisor's return unlocks it. Nobody approves their own visit.
 */

import { getOwn, hasOwn, jsonEqual, sortedByCodePoint, type JSONObject, type JSONValue } from "./canonical";
import { SyncError } from "./errors";
import type { RecordState } from "./merge";
import { pyRepr } from "./paths";

/** The four visit statuses. */
export const VisitStatus = {
  DRAFT: "draft",
  COMPLETED: "completed",
  RETURNED: "returned",
  APPROVED: "approved",
} as const;
export type VisitStatus = (typeof VisitStatus)[keyof typeof VisitStatus];

/** Actor roles that matter to the state machine (the server decides which applies). */
export const Role = {
  OFFICER: "officer",
  SUPERVISOR: "supervisor",
  ADMIN: "admin",
  AUDITOR: "auditor",
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const STATUS_PATH = "status";
export const REVIEW_NOTE_PATH = "review.note";
export const INITIAL_STATUS: VisitStatus = VisitStatus.DRAFT;

const STATUSES: readonly string[] = Object.values(VisitStatus);
const EDITABLE_BY_OFFICER: readonly string[] = [VisitStatus.DRAFT, VisitStatus.RETURNED];

/** (from, to) -> the one role allowed to take that edge. */
const TRANSITIONS: ReadonlyMap<string, Role> = new Map<string, Role>([
  ["draft>completed", Role.OFFICER],
  ["returned>completed", Role.OFFICER],
  ["completed>returned", Role.SUPERVISOR],
  ["completed>approved", Role.SUPERVISOR],
]);

// Python's str.strip() whitespace (str.isspace), which differs from
// String.prototype.trim() in \x1c-\x1f, \x85 (Python) and \ufeff (JS).
const PY_BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** How Python's repr() shows a non-string value (None, True, 5), for messages that match the server's. */
function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

function toStatus(value: unknown, which: "from" | "to"): VisitStatus {
  if (typeof value === "string" && STATUSES.includes(value)) return value as VisitStatus;
  const shown = typeof value === "string" ? pyRepr(value) : pyLiteral(value);
  throw new SyncError(
    "invalid_transition",
    `${which} status ${shown} is not one of draft, completed, returned, approved`,
    { field: STATUS_PATH, [which]: typeof value === "string" ? value : null },
  );
}

/** Allow a status change or throw `invalid_transition`, `forbidden` or `note_required`. */
export function checkTransition(
  current: string | null,
  target: string,
  actorRole: string,
  isOwner: boolean,
  note: string | null = null,
): void {
  // A record that does not exist yet starts as a draft, so "create as
  // completed" is checked as draft -> completed.
  const src = current === null || current === undefined ? INITIAL_STATUS : toStatus(current, "from");
  const dst = toStatus(target, "to");
  if (src === dst) return; // not a transition
  const details: Record<string, JSONValue> = { field: STATUS_PATH, from: src, to: dst };
  const allowedRole = TRANSITIONS.get(`${src}>${dst}`);
  if (allowedRole === undefined) {
    throw new SyncError("invalid_transition", `a visit cannot go from ${src} to ${dst}`, details);
  }
  if (actorRole !== allowedRole) {
    throw new SyncError("forbidden", `only a ${allowedRole} may move a visit from ${src} to ${dst}`, {
      ...details,
      reason: "role",
    });
  }
  if (allowedRole === Role.OFFICER && !isOwner) {
    throw new SyncError("forbidden", "only the visit's own officer may complete it", {
      ...details,
      reason: "not_owner",
    });
  }
  if (dst === VisitStatus.APPROVED && isOwner) {
    throw new SyncError("forbidden", "nobody may approve their own visit", {
      ...details,
      reason: "own_visit",
    });
  }
  if (dst === VisitStatus.RETURNED && (note === null || note === undefined || PY_BLANK.test(note))) {
    throw new SyncError("note_required", "returning a visit needs a note for the officer", {
      field: REVIEW_NOTE_PATH,
    });
  }
}

/** True when an officer may edit the visit: draft or returned, or not yet created (null). */
export function officerMayEdit(status: string | null): boolean {
  if (status === null || status === undefined) return true;
  return EDITABLE_BY_OFFICER.includes(status);
}

/** The visit's status; null if it does not exist yet, "draft" if a stored visit lacks a string one. */
export function currentStatus(state: RecordState | null): string | null {
  if (state === null) return null;
  const value = getOwn(state.fields, STATUS_PATH);
  return typeof value === "string" ? value : INITIAL_STATUS;
}

/** Check a put on a visit against the status at arrival: the officer edit lock, then the transition. */
export function checkVisitPut(
  state: RecordState | null,
  fields: JSONObject,
  actorRole: string,
  isOwner: boolean,
): void {
  const status = currentStatus(state);
  const current: JSONObject = state === null ? {} : state.fields;
  // Only real changes count: re-sending an unchanged value to a locked visit
  // (a stale retry, say) is harmless and must not be refused.
  const edits = sortedByCodePoint(
    Object.keys(fields).filter(
      (p) => p !== STATUS_PATH && (!hasOwn(current, p) || !jsonEqual(current[p], fields[p])),
    ),
  );
  if (edits.length > 0 && actorRole === Role.OFFICER && !officerMayEdit(status)) {
    throw new SyncError(
      "visit_locked",
      `the visit is ${String(status)}; an officer cannot edit it until it is returned`,
      {
        field: edits[0] ?? null,
        status,
      },
    );
  }
  if (hasOwn(fields, STATUS_PATH)) {
    const target = fields[STATUS_PATH];
    if (typeof target !== "string") {
      throw new SyncError("invalid_transition", "status must be a string", { field: STATUS_PATH });
    }
    const note = getOwn(fields, REVIEW_NOTE_PATH);
    checkTransition(status, target, actorRole, isOwner, typeof note === "string" ? note : null);
  }
}
