/**
 * Mutation parsing and normalisation (PROTOCOL.md sections 3 and 6; port of sync/mutations.py).
 *
 * `parseMutation` checks a mutation's content. The client runs it on every
 * change before queueing it, so what it queues is what the server accepts.
 */

import {
  CanonicalError,
  hasOwn,
  isPlainObject,
  normaliseJson,
  setOwn,
  type JSONObject,
  type JSONValue,
} from "./canonical";
import { SyncError } from "./errors";
import { MAX_FIELDS_PER_MUTATION } from "./limits";
import { checkNoCollision, validatePath } from "./paths";

/** The collections a mutation may name. */
export const COLLECTIONS = [
  "addenda",
  "advice_items",
  "kit_issues",
  "leave_behinds",
  "photos",
  "property_items",
  "reports",
  "survey_responses",
  "victim_updates",
  "visits",
] as const;
export type Collection = (typeof COLLECTIONS)[number];

export const OPS = ["put", "delete"] as const;
export type Op = (typeof OPS)[number];

/**
 * Keys starting with "_" can never be paths, so they carry directives.
 * "_resolve": ["victim.name"] says "I have seen the conflicts on these fields;
 * my value in this mutation is the resolution".
 */
export const RESOLVE_KEY = "_resolve";
export const DIRECTIVES: readonly string[] = [RESOLVE_KEY];

/** The keys a mutation digest covers (not `seq`: that is the key it is stored under). */
export const DIGEST_KEYS = ["collection", "id", "op", "base_rev", "fields", "at"] as const;

export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Device time as Date.prototype.toISOString() writes it, or with a numeric offset. */
export const AT_RE =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** One normalised client change; `resolve` holds the `_resolve` directive, `fields` only paths. */
export interface Mutation {
  readonly seq: number;
  readonly collection: Collection;
  readonly id: string;
  readonly op: Op;
  readonly base_rev: number | null;
  readonly fields: JSONObject;
  readonly at: string;
  readonly resolve: readonly string[];
}

/** A mutation as it goes on the wire (and sits in the client's queue): `_resolve` inside `fields`. */
export interface WireMutation {
  readonly seq: number;
  readonly collection: Collection;
  readonly id: string;
  readonly op: Op;
  readonly base_rev: number | null;
  readonly fields: JSONObject;
  readonly at: string;
}

/** Return the mutation as it goes on the wire (with `_resolve` back in fields). */
export function mutationToWire(m: Mutation): WireMutation {
  const fields: Record<string, JSONValue> = { ...m.fields };
  if (m.resolve.length > 0) fields[RESOLVE_KEY] = [...m.resolve];
  return {
    seq: m.seq,
    collection: m.collection,
    id: m.id,
    op: m.op,
    base_rev: m.base_rev,
    fields,
    at: m.at,
  };
}

function whereOf(index: number | null, name: string): string {
  return index === null ? name : `mutations[${index}].${name}`;
}

function invalid(code: string, where: string, message: string): SyncError {
  return new SyncError(code, `${where}: ${message}`, { field: where });
}

/** Return a UUID in canonical lower-case hyphenated form or throw `code` (default `invalid_mutation`). */
export function parseUuid(value: unknown, where: string, code = "invalid_mutation"): string {
  // Lower-casing means "ABC…" and "abc…" name the same record and digest identically.
  if (typeof value !== "string" || !UUID_RE.test(value)) {
    throw invalid(code, where, "must be a UUID like 8-4-4-4-12 hex digits");
  }
  return value.toLowerCase();
}

function parseInteger(value: unknown, where: string, minimum: number, code: string): number {
  // JSON has one number type: 3.0 is 3.
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalid(code, where, "must be an integer");
  }
  if (value < minimum || value > MAX_SEQ) {
    throw invalid(code, where, `must be an integer from ${minimum} to 2^53-1`);
  }
  return value === 0 ? 0 : value;
}

/** Return a valid seq (integer from 1 to 2^53-1) or throw `invalid_mutation`. */
export function parseSeq(value: unknown, where = "seq"): number {
  return parseInteger(value, where, 1, "invalid_mutation");
}

function isRealDateTime(year: number, month: number, day: number, hour: number, minute: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

/** Return a device time string unchanged if it is ISO-8601 with seconds and an offset, else throw. */
export function parseAt(value: unknown, where = "at"): string {
  const match = typeof value === "string" ? AT_RE.exec(value) : null;
  if (typeof value !== "string" || match === null) {
    throw invalid("invalid_mutation", where, "must be ISO-8601 like 2024-05-01T10:00:00.000Z");
  }
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  // Only the calendar is checked (seconds are not, as in the Python library,
  // which allows leap seconds): "at" never orders anything.
  if (!isRealDateTime(year, month, day, hour, minute)) {
    throw invalid("invalid_mutation", where, "is not a real date-time");
  }
  if (match[8] !== "Z") {
    const offsetH = Number(value.slice(-5, -3));
    const offsetM = Number(value.slice(-2));
    if (offsetH > 23 || offsetM > 59) {
      throw invalid("invalid_mutation", where, "has an invalid UTC offset");
    }
  }
  return value;
}

function parseResolve(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid("invalid_mutation", where, "must be a non-empty list of paths");
  }
  const paths = value.map((p: unknown, i) => validatePath(p, `${where}[${i}]`));
  if (new Set(paths).size !== paths.length) {
    throw invalid("invalid_mutation", where, "lists a path twice");
  }
  return paths;
}

function parseFields(
  value: unknown,
  op: Op,
  index: number | null,
): { fields: JSONObject; resolve: readonly string[] } {
  const where = whereOf(index, "fields");
  if ((value === null || value === undefined) && op === "delete") return { fields: {}, resolve: [] };
  if (!isPlainObject(value)) throw invalid("invalid_mutation", where, "must be an object");
  const keys = Object.keys(value);
  if (op === "delete" && keys.length > 0) {
    throw invalid("invalid_mutation", where, "must be empty for a delete");
  }
  if (keys.length > MAX_FIELDS_PER_MUTATION) {
    throw invalid("invalid_mutation", where, `has more than ${MAX_FIELDS_PER_MUTATION} keys`);
  }
  const fields: Record<string, JSONValue> = {};
  let resolve: readonly string[] = [];
  for (const key of keys) {
    const item = value[key];
    // JSON-quoted so both sides build the same text.
    const keyWhere = `${where}[${JSON.stringify(key)}]`;
    if (key.startsWith("_")) {
      if (!DIRECTIVES.includes(key)) throw invalid("invalid_mutation", keyWhere, "unknown directive");
      resolve = parseResolve(item, keyWhere);
      continue;
    }
    validatePath(key, keyWhere);
    if (isPlainObject(item)) {
      // {"a": {"b": 1}} and {"a.b": 1} would be two spellings of one thing.
      throw invalid("invalid_mutation", keyWhere, "object values are not allowed; send dotted paths");
    }
    try {
      setOwn(fields, key, normaliseJson(item, keyWhere));
    } catch (exc) {
      if (exc instanceof CanonicalError) throw invalid("invalid_mutation", keyWhere, exc.reason);
      throw exc;
    }
  }
  checkNoCollision(Object.keys(fields), [], where);
  return { fields, resolve };
}

/** Validate and normalise one wire mutation or throw `invalid_mutation` / `invalid_path`. */
export function parseMutation(obj: unknown, index: number | null = null): Mutation {
  const where = index === null ? "mutation" : `mutations[${index}]`;
  if (!isPlainObject(obj)) throw invalid("invalid_mutation", where, "must be an object");
  // Unknown keys are ignored, not refused, so newer clients can add information.
  for (const key of ["seq", "collection", "id", "op", "base_rev", "at"]) {
    if (!hasOwn(obj, key)) throw invalid("invalid_mutation", whereOf(index, key), "is required");
  }
  const seq = parseSeq(obj["seq"], whereOf(index, "seq"));
  const collection = obj["collection"];
  if (typeof collection !== "string" || !(COLLECTIONS as readonly string[]).includes(collection)) {
    throw invalid(
      "invalid_mutation",
      whereOf(index, "collection"),
      `must be one of ${COLLECTIONS.join(", ")}`,
    );
  }
  const id = parseUuid(obj["id"], whereOf(index, "id"));
  const op = obj["op"];
  if (op !== "put" && op !== "delete") {
    throw invalid("invalid_mutation", whereOf(index, "op"), "must be put or delete");
  }
  const baseRevRaw = obj["base_rev"];
  const baseRev =
    baseRevRaw === null ? null : parseInteger(baseRevRaw, whereOf(index, "base_rev"), 0, "invalid_mutation");
  if (!hasOwn(obj, "fields") && op === "put") {
    throw invalid("invalid_mutation", whereOf(index, "fields"), "is required");
  }
  const { fields, resolve } = parseFields(hasOwn(obj, "fields") ? obj["fields"] : null, op, index);
  const at = parseAt(obj["at"], whereOf(index, "at"));
  return {
    seq,
    collection: collection as Collection,
    id,
    op,
    base_rev: baseRev,
    fields,
    at,
    resolve,
  };
}
