/**
 * Run every case in sync/vectors/*.json against the TypeScript port, with the
 * matching rules of the Python runner (tests/sync/test_vectors.py):
 *
 * - merge_put / merge_delete / resolve_conflict / apply_mutation: `expected`
 *   is matched key by key (a case may leave out e.g. `change`);
 * - apply_sequence: same number of results, each result matched as a subset
 *   (objects key by key, recursively; error details included), state exactly;
 * - everything else: equal, and of the same JSON type;
 * - error cases: a SyncError with that code whose details contain the given
 *   keys (subset match, recursively).
 */

import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import {
  SyncError,
  applyMutation,
  canonicalJson,
  checkBatch,
  checkPullLimit,
  checkPushLimits,
  checkReplay,
  checkTransition,
  checkVisitPut,
  classifySeq,
  decodeCursor,
  encodeCursor,
  flatten,
  isPlainObject,
  mergeDelete,
  mergePut,
  mutationDigest,
  officerMayEdit,
  parseMutation,
  recordStateFromJson,
  replayVerdict,
  resolveConflict,
  unflatten,
  validatePath,
  mutationToWire,
  type JSONObject,
  type JSONValue,
  type RecordState,
} from "../../src/sync";

const VECTOR_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../sync/vectors");

type Obj = Record<string, unknown>;

interface Case {
  readonly comment: string;
  readonly function: string;
  readonly state?: unknown;
  readonly input: Obj;
  readonly expected?: unknown;
  readonly error?: { readonly code: string; readonly details?: Obj };
}

/** input[key], failing like Python's KeyError when the vector lacks it. */
function req(obj: Obj, key: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) throw new Error(`vector input lacks ${key}`);
  return obj[key];
}

/** input.get(key, fallback). */
function opt(obj: Obj, key: string, fallback: unknown = null): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : fallback;
}

function stateOf(c: Case): RecordState | null {
  const raw = c.state ?? null;
  return raw === null ? null : recordStateFromJson(raw);
}

function applySequence(c: Case): { results: Obj[]; state: RecordState | null } {
  let state = stateOf(c);
  const results: Obj[] = [];
  for (const step of req(c.input, "steps") as Obj[]) {
    try {
      const mutation = parseMutation(req(step, "mutation"));
      if (Object.prototype.hasOwnProperty.call(step, "actor_role") && mutation.op === "put") {
        checkVisitPut(
          state,
          mutation.fields,
          req(step, "actor_role") as string,
          req(step, "is_owner") as boolean,
        );
      }
      const newRev = (state === null ? 0 : state.rev) + 1;
      const outcome = applyMutation(state, mutation, newRev, req(step, "author") as string | null);
      state = outcome.state;
      results.push({ status: outcome.status, rev: outcome.rev, error: null });
    } catch (exc) {
      if (!(exc instanceof SyncError)) throw exc;
      results.push({ status: "rejected", rev: null, error: exc.toJSON() });
    }
  }
  return { results, state };
}

type Adapter = (c: Case) => unknown;

const ADAPTERS: Readonly<Record<string, Adapter>> = {
  merge_put: (c) =>
    mergePut(
      stateOf(c),
      req(c.input, "base_rev") as number | null,
      req(c.input, "fields") as JSONObject,
      req(c.input, "new_rev") as number,
      opt(c.input, "author") as string | null,
      opt(c.input, "resolve", []) as string[],
    ),
  merge_delete: (c) =>
    mergeDelete(
      stateOf(c),
      req(c.input, "base_rev") as number | null,
      req(c.input, "new_rev") as number,
      opt(c.input, "author") as string | null,
    ),
  resolve_conflict: (c) =>
    resolveConflict(
      stateOf(c),
      req(c.input, "field") as string,
      req(c.input, "chosen_value") as JSONValue,
      req(c.input, "new_rev") as number,
      opt(c.input, "author") as string | null,
    ),
  apply_mutation: (c) =>
    applyMutation(
      stateOf(c),
      parseMutation(req(c.input, "mutation")),
      req(c.input, "new_rev") as number,
      opt(c.input, "author") as string | null,
    ),
  apply_sequence: applySequence,
  classify_seq: (c) => classifySeq(req(c.input, "last_acked_seq") as number, req(c.input, "seq") as number),
  check_batch: (c) => checkBatch(req(c.input, "last_acked") as number, req(c.input, "seqs") as number[]),
  replay_verdict: (c) =>
    replayVerdict(req(c.input, "stored_digest") as string, req(c.input, "new_digest") as string),
  check_replay: (c) => {
    checkReplay(
      req(c.input, "seq") as number,
      req(c.input, "stored_digest") as string,
      req(c.input, "new_digest") as string,
    );
    return null;
  },
  check_transition: (c) => {
    checkTransition(
      req(c.input, "current") as string | null,
      req(c.input, "target") as string,
      req(c.input, "actor_role") as string,
      req(c.input, "is_owner") as boolean,
      opt(c.input, "note") as string | null,
    );
    return null;
  },
  officer_may_edit: (c) => officerMayEdit(req(c.input, "status") as string | null),
  check_visit_put: (c) => {
    checkVisitPut(
      stateOf(c),
      req(c.input, "fields") as JSONObject,
      req(c.input, "actor_role") as string,
      req(c.input, "is_owner") as boolean,
    );
    return null;
  },
  mutation_digest: (c) => mutationDigest(req(c.input, "mutation")),
  canonical_json: (c) => canonicalJson(req(c.input, "value")),
  parse_mutation: (c) =>
    mutationToWire(parseMutation(req(c.input, "obj"), opt(c.input, "index") as number | null)),
  flatten: (c) => flatten(req(c.input, "nested") as JSONObject),
  unflatten: (c) => unflatten(req(c.input, "flat") as JSONObject),
  validate_path: (c) => validatePath(req(c.input, "path")),
  encode_cursor: (c) => encodeCursor(req(c.input, "version") as number),
  decode_cursor: (c) => decodeCursor(req(c.input, "cursor")),
  check_pull_limit: (c) => checkPullLimit(req(c.input, "limit")),
  check_push_limits: (c) => {
    checkPushLimits(req(c.input, "mutation_count") as number, req(c.input, "body_bytes") as number);
    return null;
  },
};

/** Functions whose result is an object matched key by key. */
const KEYWISE = new Set([
  "merge_put",
  "merge_delete",
  "resolve_conflict",
  "apply_mutation",
  "apply_sequence",
]);

function loadCases(): { file: string; cases: Case[] }[] {
  return readdirSync(VECTOR_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const data: unknown = JSON.parse(readFileSync(resolve(VECTOR_DIR, name), "utf-8"));
      const cases = (isPlainObject(data) ? data["cases"] : data) as Case[];
      return { file: basename(name, ".json"), cases };
    });
}

const FILES = loadCases();
const ALL = FILES.flatMap(({ file, cases }) => cases.map((c) => ({ id: `${file}: ${c.comment}`, c })));

/** Python `==` on JSON data: objects ignore key order, lists keep it; true is not 1 here (JSON keeps them apart). */
function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true; // also 0 === -0, as in Python
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEquals(a[k], b[k]))
    );
  }
  return false;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Objects: every expected key must be present and match (recursively); anything else: equal. */
function assertSubset(expected: unknown, actual: unknown, where: string): void {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) throw new Error(`${where}: expected an object, got ${show(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      if (!Object.prototype.hasOwnProperty.call(actual, key)) {
        throw new Error(`${where}.${key} missing from ${show(actual)}`);
      }
      assertSubset(value, actual[key], `${where}.${key}`);
    }
  } else if (!jsonEquals(expected, actual)) {
    throw new Error(`${where}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function assertMatches(c: Case, actual: unknown): void {
  const expected = c.expected;
  if (c.function === "apply_sequence") {
    const want = expected as { results: unknown[]; state: unknown };
    const got = actual as { results: unknown[]; state: unknown };
    expect(got.results.length, "number of results").toBe(want.results.length);
    want.results.forEach((w, i) => assertSubset(w, got.results[i], `results[${i}]`));
    if (!jsonEquals(got.state, want.state)) {
      throw new Error(`state: expected ${show(want.state)}, got ${show(got.state)}`);
    }
  } else if (KEYWISE.has(c.function)) {
    const got = actual as Obj;
    for (const [key, value] of Object.entries(expected as Obj)) {
      if (!Object.prototype.hasOwnProperty.call(got, key)) throw new Error(`${key} missing from the outcome`);
      if (!jsonEquals(got[key], value)) {
        throw new Error(`${key}: expected ${show(value)}, got ${show(got[key])}`);
      }
    }
  } else {
    if (!jsonEquals(actual, expected)) throw new Error(`expected ${show(expected)}, got ${show(actual)}`);
    // bool is an int in Python; JSON keeps them apart, and so must we.
    expect(jsonType(actual)).toBe(jsonType(expected));
  }
}

describe("sync vectors", () => {
  it("are plentiful, uniquely named and cover every adapter", () => {
    const ids = ALL.map(({ id }) => id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ALL.map(({ c }) => c.function))).toEqual(new Set(Object.keys(ADAPTERS)));
  });
});

for (const { file, cases } of FILES) {
  describe(file, () => {
    for (const c of cases) {
      it(c.comment, async () => {
        const adapter = ADAPTERS[c.function];
        if (adapter === undefined) throw new Error(`no adapter for ${c.function}`);
        if (c.error !== undefined) {
          let raised: unknown = undefined;
          try {
            await adapter(c);
          } catch (exc) {
            raised = exc;
          }
          if (!(raised instanceof SyncError)) {
            throw new Error(
              `expected SyncError ${c.error.code}, got ${raised === undefined ? "no error" : String(raised)}`,
            );
          }
          expect(raised.code).toBe(c.error.code);
          assertSubset(c.error.details ?? {}, raised.details, "details");
          return;
        }
        assertMatches(c, await adapter(c));
      });
    }
  });
}
