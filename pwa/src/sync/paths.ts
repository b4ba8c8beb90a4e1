/**
 * Dotted field paths: validation, flatten and unflatten (PROTOCOL.md 2.2; port of sync/paths.py).
 *
 * Records travel and merge as flat maps {"victim.name": "Ann"} so two devices
 * editing different leaves of one section never collide. Lists are leaf
 * values: never indexed by path, replaced as a whole.
 */

import {
  hasOwn,
  isPlainObject,
  setOwn,
  sortedByCodePoint,
  type JSONObject,
  type JSONValue,
} from "./canonical";
import { SyncError } from "./errors";

export const MAX_PATH_DEPTH = 4;
export const MAX_PATH_LENGTH = 128;

const SEGMENT_RE = /^[a-z][a-z0-9_]*$/;

// Characters Python's str.isprintable() refuses (categories C*, Z* except space).
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Python's repr() of a string, so error details read the same on phone and server. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f) out += ch;
    else if (!NOT_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** Return `path` if it is a valid dotted path, else throw `invalid_path` naming `field`. */
export function validatePath(path: unknown, field = "path"): string {
  const fail = (reason: string): SyncError =>
    new SyncError("invalid_path", `${field}: ${reason}`, {
      field,
      path: typeof path === "string" ? path : null,
      reason,
    });

  if (typeof path !== "string") throw fail("path is not a string");
  if (!path) throw fail("path is empty");
  // Python counts code points, not UTF-16 units.
  if ([...path].length > MAX_PATH_LENGTH) {
    throw fail(`path is longer than ${MAX_PATH_LENGTH} characters`);
  }
  const segments = path.split(".");
  if (segments.length > MAX_PATH_DEPTH) {
    throw fail(`path is deeper than ${MAX_PATH_DEPTH} segments`);
  }
  for (const segment of segments) {
    // ASCII-only, lower-case, leading letter; leaves "_" keys free for directives.
    if (!SEGMENT_RE.test(segment)) {
      throw fail(`segment ${pyRepr(segment)} must match [a-z][a-z0-9_]*`);
    }
  }
  return path;
}

/** Return a pair [a, b] where path a is a strict prefix of path b, or null. */
export function findPrefixCollision(
  paths: Iterable<string>,
  existing: Iterable<string> = [],
): [string, string] | null {
  // "victim" and "victim.name" cannot both be leaves: unflatten would need
  // "victim" to be a value and an object at once.
  const fresh = [...paths];
  const all = new Set<string>([...existing, ...fresh]);
  for (const path of fresh) {
    const hit = strictPrefixIn(path, all);
    if (hit !== null) return [hit, path];
  }
  const freshSet = new Set(fresh);
  for (const other of all) {
    const hit = strictPrefixIn(other, freshSet);
    if (hit !== null) return [hit, other];
  }
  return null;
}

function strictPrefixIn(path: string, set: ReadonlySet<string>): string | null {
  const parts = path.split(".");
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join(".");
    if (set.has(prefix)) return prefix;
  }
  return null;
}

/** Throw `invalid_path` (reason "prefix_collision") if a path is a strict prefix of another. */
export function checkNoCollision(
  paths: Iterable<string>,
  existing: Iterable<string> = [],
  field = "fields",
): void {
  const hit = findPrefixCollision(paths, existing);
  if (hit !== null) {
    const [prefix, longer] = hit;
    throw new SyncError(
      "invalid_path",
      `${field}: ${pyRepr(prefix)} is both a value and the parent of ${pyRepr(longer)}`,
      { field, path: prefix, reason: "prefix_collision" },
    );
  }
}

/** Turn a nested object into a flat {dotted.path: leaf} map (empty objects vanish). */
export function flatten(nested: JSONObject): JSONObject {
  const flat: Record<string, JSONValue> = {};
  const walk = (prefix: string, value: JSONObject): void => {
    for (const key of Object.keys(value)) {
      const item = value[key] as JSONValue;
      const path = prefix ? `${prefix}.${key}` : key;
      if (isPlainObject(item)) walk(path, item as JSONObject);
      else setOwn(flat, validatePath(path), item);
    }
  };
  walk("", nested);
  return flat;
}

/** Turn a flat {dotted.path: leaf} map back into a nested object. */
export function unflatten(flat: JSONObject): JSONObject {
  const paths = Object.keys(flat);
  for (const path of paths) validatePath(path);
  checkNoCollision(paths);
  const nested: Record<string, JSONValue> = {};
  for (const path of sortedByCodePoint(paths)) {
    const parents = path.split(".");
    const leaf = parents.pop() as string;
    let node: Record<string, JSONValue> = nested;
    for (const segment of parents) {
      if (!hasOwn(node, segment)) setOwn(node, segment, {});
      // An object, guaranteed by the collision check.
      node = node[segment] as Record<string, JSONValue>;
    }
    setOwn(node, leaf, flat[path] as JSONValue);
  }
  return nested;
}
