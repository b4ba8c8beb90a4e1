/**
 * Field-level merge of puts and deletes onto a record's state (PROTOCOL.md
 * sections 5 to 7; port of sync/merge.py). The client uses it to predict the
 * server's outcome and to rebase pending local edits on pulled records.
 *
 * Per field: an equal value does nothing; a field unchanged since base_rev,
 * or last written by this same author, takes the new value (clean); a field
 * changed since base_rev by someone else takes it too (the later ARRIVAL
 * wins) and the overwritten value is kept in `conflicts`. Clocks play no part.
 *
 * All shapes here are the JSON shapes of the wire and of the vectors.
 */

import {
  getOwn,
  hasOwn,
  isPlainObject,
  jsonEqual,
  setOwn,
  sortedByCodePoint,
  type JSONObject,
  type JSONValue,
} from "./canonical";
import { SyncError } from "./errors";
import type { Mutation } from "./mutations";
import { checkNoCollision, pyRepr, validatePath } from "./paths";

/** Result status of an accepted mutation (rejections throw SyncError). */
export const MergeStatus = {
  APPLIED: "applied",
  MERGED: "merged",
  CONFLICT: "conflict",
} as const;
export type MergeStatus = (typeof MergeStatus)[keyof typeof MergeStatus];

/** An overwritten value kept until resolved: what, written when and by whom, replaced when. */
export interface Conflict {
  readonly field: string;
  readonly value: JSONValue;
  readonly rev: number;
  readonly replaced_by_rev: number;
  readonly author: string | null;
}

/** Everything the merge needs to know about one record at one rev. */
export interface RecordState {
  readonly rev: number;
  readonly fields: JSONObject;
  readonly field_revs: Readonly<Record<string, number>>;
  readonly field_authors: Readonly<Record<string, string | null>>;
  readonly deleted: boolean;
  readonly conflicts: readonly Conflict[];
}

/** What one revision changed: for revision history and audit. */
export interface RecordChange {
  readonly rev: number;
  readonly op: "create" | "put" | "delete" | "resolve";
  readonly author: string | null;
  readonly changed: readonly string[];
  readonly previous: JSONObject;
  readonly conflicts_added: readonly Conflict[];
  readonly conflicts_cleared: readonly Conflict[];
}

/** An accepted mutation: its status, the record's rev after it, the new state, and the change (null for a no-op). */
export interface Outcome {
  readonly status: MergeStatus;
  readonly rev: number;
  readonly state: RecordState;
  readonly change: RecordChange | null;
}

function isInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

function badState(message: string): SyncError {
  return new SyncError("invalid_state", message, {});
}

function outcome(status: MergeStatus, state: RecordState, change: RecordChange | null): Outcome {
  return { status, rev: state.rev, state, change };
}

/** Build a conflict entry from its JSON shape or throw `invalid_state`. */
export function conflictFromJson(obj: unknown): Conflict {
  if (!isPlainObject(obj)) throw badState("conflict entry is not an object");
  const { field, rev, replaced_by_rev: by } = obj;
  const author = hasOwn(obj, "author") ? obj["author"] : null;
  if (typeof field !== "string" || !isInt(rev) || !isInt(by)) {
    throw badState("conflict entry needs field, rev, replaced_by_rev");
  }
  if (author !== null && author !== undefined && typeof author !== "string") {
    throw badState("conflict author must be a string or null");
  }
  const value = hasOwn(obj, "value") ? (obj["value"] as JSONValue) : null;
  return { field, value, rev, replaced_by_rev: by, author: author ?? null };
}

/** Build a record state from its JSON shape (field_authors, deleted, conflicts optional) or throw `invalid_state`. */
export function recordStateFromJson(obj: unknown): RecordState {
  if (!isPlainObject(obj)) throw badState("state is not an object");
  const pick = (key: string, fallback: unknown): unknown => (hasOwn(obj, key) ? obj[key] : fallback);
  const rev = pick("rev", null);
  const fields = pick("fields", {});
  const fieldRevs = pick("field_revs", {});
  const authors = pick("field_authors", {});
  const deleted = pick("deleted", false);
  const conflicts = pick("conflicts", []);
  if (!isInt(rev) || rev < 1) throw badState("rev must be an integer >= 1");
  if (!isPlainObject(fields) || !isPlainObject(fieldRevs)) {
    throw badState("fields and field_revs must be objects");
  }
  if (!isPlainObject(authors) || typeof deleted !== "boolean") {
    throw badState("field_authors must be an object, deleted a boolean");
  }
  if (!Array.isArray(conflicts)) throw badState("conflicts must be a list");
  const revs: Record<string, number> = {};
  for (const path of Object.keys(fields)) {
    const frev = hasOwn(fieldRevs, path) ? fieldRevs[path] : rev;
    if (!isInt(frev) || frev > rev) {
      throw badState(`field_revs[${pyRepr(path)}] must be an integer <= rev`);
    }
    setOwn(revs, path, frev);
  }
  const fieldAuthors: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(authors)) {
    setOwn(fieldAuthors, key, typeof value === "string" ? value : null);
  }
  return {
    rev,
    fields: { ...(fields as JSONObject) },
    field_revs: revs,
    field_authors: fieldAuthors,
    deleted,
    conflicts: (conflicts as unknown[]).map(conflictFromJson),
  };
}

function checkNewRev(current: number, newRev: number): void {
  // The server allocates new_rev; a non-increasing one is a programming error.
  if (!isInt(newRev) || newRev <= current) {
    throw new RangeError(`new_rev must be an int > ${current}, got ${String(newRev)}`);
  }
}

function checkBaseRev(state: RecordState, baseRev: number | null): number {
  const base = baseRev ?? 0;
  if (!isInt(base) || base < 0 || base > state.rev) {
    throw new SyncError(
      "bad_base_rev",
      `base_rev ${String(baseRev)} is ahead of the record's rev ${state.rev}`,
      { field: "base_rev", base_rev: baseRev ?? null, rev: state.rev },
    );
  }
  return base;
}

function changedByOther(state: RecordState, path: string, base: number, author: string | null): boolean {
  // Same author = same device queue, applied in seq order: it has seen its own
  // earlier write even before it learnt the rev, so that is no conflict.
  if ((getOwn(state.field_revs, path) ?? 0) <= base) return false;
  return author === null || (getOwn(state.field_authors, path) ?? null) !== author;
}

function overwritten(state: RecordState, path: string, replacedBy: number): Conflict {
  return {
    field: path,
    value: state.fields[path] as JSONValue,
    rev: getOwn(state.field_revs, path) ?? 0,
    replaced_by_rev: replacedBy,
    author: getOwn(state.field_authors, path) ?? null,
  };
}

function statusOf(conflicted: boolean, base: number, rev: number): MergeStatus {
  if (conflicted) return MergeStatus.CONFLICT;
  return base === rev ? MergeStatus.APPLIED : MergeStatus.MERGED;
}

/** Merge a put onto a record; throws `not_found`, `deleted`, `bad_base_rev`, `invalid_path`. */
export function mergePut(
  state: RecordState | null,
  baseRev: number | null,
  fields: JSONObject,
  newRev: number,
  author: string | null = null,
  resolve: Iterable<string> = [],
): Outcome {
  const paths = Object.keys(fields);
  for (const path of paths) validatePath(path, `fields[${JSON.stringify(path)}]`);
  const resolveSet = new Set<string>();
  for (const p of resolve) resolveSet.add(validatePath(p, 'fields["_resolve"]'));

  if (state === null) {
    if (baseRev !== null && baseRev !== 0) {
      throw new SyncError("not_found", `record does not exist, yet base_rev is ${baseRev}`, {
        field: "base_rev",
        base_rev: baseRev,
      });
    }
    checkNewRev(0, newRev);
    checkNoCollision(paths);
    const revs: Record<string, number> = {};
    const authors: Record<string, string | null> = {};
    for (const path of paths) {
      setOwn(revs, path, newRev);
      setOwn(authors, path, author);
    }
    const created: RecordState = {
      rev: newRev,
      fields: { ...fields },
      field_revs: revs,
      field_authors: authors,
      deleted: false,
      conflicts: [],
    };
    const change: RecordChange = {
      rev: newRev,
      op: "create",
      author,
      changed: sortedByCodePoint(paths),
      previous: {},
      conflicts_added: [],
      conflicts_cleared: [],
    };
    return outcome(MergeStatus.APPLIED, created, change);
  }

  if (state.deleted) {
    throw new SyncError("deleted", "record was deleted; a put cannot bring it back", { rev: state.rev });
  }
  const base = checkBaseRev(state, baseRev);
  checkNoCollision(
    paths.filter((p) => !hasOwn(state.fields, p)),
    Object.keys(state.fields),
  );

  const values: Record<string, JSONValue> = { ...state.fields };
  const fieldRevs: Record<string, number> = { ...state.field_revs };
  const authors: Record<string, string | null> = { ...state.field_authors };
  const changed: string[] = [];
  const previous: Record<string, JSONValue> = {};
  const added: Conflict[] = [];
  for (const path of sortedByCodePoint(paths)) {
    const value = fields[path] as JSONValue;
    const present = hasOwn(state.fields, path);
    if (present && jsonEqual(state.fields[path], value)) continue;
    if (present && changedByOther(state, path, base, author)) added.push(overwritten(state, path, newRev));
    if (present) setOwn(previous, path, state.fields[path] as JSONValue);
    setOwn(values, path, value);
    setOwn(fieldRevs, path, newRev);
    setOwn(authors, path, author);
    changed.push(path);
  }

  // `_resolve` clears only conflicts the writer could have seen (created at or
  // before base_rev); one created after it is news to them and must stay.
  const seen = (c: Conflict): boolean => resolveSet.has(c.field) && c.replaced_by_rev <= base;
  const cleared = state.conflicts.filter(seen);
  const kept = state.conflicts.filter((c) => !seen(c));
  const status = statusOf(added.length > 0, base, state.rev);

  if (changed.length === 0 && cleared.length === 0) return outcome(status, state, null);
  checkNewRev(state.rev, newRev);
  const next: RecordState = {
    rev: newRev,
    fields: values,
    field_revs: fieldRevs,
    field_authors: authors,
    deleted: false,
    conflicts: [...kept, ...added],
  };
  const change: RecordChange = {
    rev: newRev,
    op: changed.length > 0 ? "put" : "resolve",
    author,
    changed,
    previous,
    conflicts_added: added,
    conflicts_cleared: cleared,
  };
  return outcome(status, next, change);
}

/** Delete a record (a tombstone keeping its fields); throws `not_found`, `bad_base_rev`. */
export function mergeDelete(
  state: RecordState | null,
  baseRev: number | null,
  newRev: number,
  author: string | null = null,
): Outcome {
  if (state === null) {
    throw new SyncError("not_found", "record does not exist", { field: "id", base_rev: baseRev });
  }
  // Idempotent: a second delete changes nothing and creates no revision.
  if (state.deleted) return outcome(MergeStatus.APPLIED, state, null);
  const base = checkBaseRev(state, baseRev);
  checkNewRev(state.rev, newRev);
  // The delete wins, but values it removes unseen are reported as conflicts.
  const added = sortedByCodePoint(Object.keys(state.fields))
    .filter((path) => changedByOther(state, path, base, author))
    .map((path) => overwritten(state, path, newRev));
  const tombstone: RecordState = {
    rev: newRev,
    fields: { ...state.fields },
    field_revs: { ...state.field_revs },
    field_authors: { ...state.field_authors },
    deleted: true,
    conflicts: [...state.conflicts, ...added],
  };
  const change: RecordChange = {
    rev: newRev,
    op: "delete",
    author,
    changed: [],
    previous: {},
    conflicts_added: added,
    conflicts_cleared: [],
  };
  return outcome(statusOf(added.length > 0, base, state.rev), tombstone, change);
}

/** Set `field` to the chosen value and clear all its conflicts (server-side resolution). */
export function resolveConflict(
  state: RecordState | null,
  field: string,
  chosenValue: JSONValue,
  newRev: number,
  author: string | null = null,
): Outcome {
  validatePath(field, "field");
  if (state === null) throw new SyncError("not_found", "record does not exist", { field: "id" });
  if (state.deleted) throw new SyncError("deleted", "record was deleted", { rev: state.rev });
  const cleared = state.conflicts.filter((c) => c.field === field);
  const present = hasOwn(state.fields, field);
  const same = present && jsonEqual(state.fields[field], chosenValue);
  if (cleared.length === 0 && same) return outcome(MergeStatus.APPLIED, state, null);
  if (!present) checkNoCollision([field], Object.keys(state.fields));
  checkNewRev(state.rev, newRev);
  const values: Record<string, JSONValue> = { ...state.fields };
  const fieldRevs: Record<string, number> = { ...state.field_revs };
  const authors: Record<string, string | null> = { ...state.field_authors };
  const previous: Record<string, JSONValue> = {};
  let changed: string[] = [];
  if (!same) {
    if (present) setOwn(previous, field, state.fields[field] as JSONValue);
    setOwn(values, field, chosenValue);
    setOwn(fieldRevs, field, newRev);
    setOwn(authors, field, author);
    changed = [field];
  }
  const next: RecordState = {
    rev: newRev,
    fields: values,
    field_revs: fieldRevs,
    field_authors: authors,
    deleted: false,
    conflicts: state.conflicts.filter((c) => c.field !== field),
  };
  const change: RecordChange = {
    rev: newRev,
    op: "resolve",
    author,
    changed,
    previous,
    conflicts_added: [],
    conflicts_cleared: cleared,
  };
  return outcome(MergeStatus.APPLIED, next, change);
}

/** Dispatch a parsed mutation to mergePut or mergeDelete (`at` is ignored). */
export function applyMutation(
  state: RecordState | null,
  mutation: Mutation,
  newRev: number,
  author: string | null = null,
): Outcome {
  if (mutation.op === "delete") return mergeDelete(state, mutation.base_rev, newRev, author);
  return mergePut(state, mutation.base_rev, mutation.fields, newRev, author, mutation.resolve);
}
