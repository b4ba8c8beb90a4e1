/**
 * JSON value typing, validation, canonical serialisation and equality
 * (PROTOCOL.md section 4.1; port of sync/canonical.py).
 *
 * Canonical form is RFC 8785 (JCS) style: object keys sorted by UTF-16 code
 * units, no whitespace, strings escaped as JSON.stringify escapes them (never
 * ASCII-escaped), numbers written as ECMAScript Number.prototype.toString
 * writes them (-0 as 0).
 */

/** A JSON value as it travels on the wire. */
export type JSONValue = null | boolean | number | string | readonly JSONValue[] | JSONObject;

/** A JSON object; keys are own properties only. */
export interface JSONObject {
  readonly [key: string]: JSONValue;
}

/** Largest integer a JSON number holds exactly on the phone (2^53 - 1). */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/** Guards recursion on hostile input; real visit data is far shallower. */
export const MAX_NESTING = 32;

/** Raised when a value cannot be represented as interoperable JSON. */
export class CanonicalError extends Error {
  readonly reason: string;
  readonly where: string;

  constructor(reason: string, where: string) {
    super(`${where}: ${reason}`);
    this.name = "CanonicalError";
    this.reason = reason;
    this.where = where;
  }
}

/** True for a plain object (what JSON.parse makes for `{...}`), false for arrays, null, class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True if `key` is an own property of `obj` (never an inherited one such as "constructor"). */
export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** The own property `key` of `obj`, or undefined (inherited properties are ignored). */
export function getOwn<T>(obj: { readonly [key: string]: T }, key: string): T | undefined {
  return hasOwn(obj, key) ? obj[key] : undefined;
}

/** Set an own data property, even for the key "__proto__" (plain assignment would change the prototype). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Compare strings by Unicode code point, as Python's sorted() does (differs from UTF-16 order above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate here starts a code point above U+FFFF, which sorts after
    // every BMP character, including U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** A sorted copy of `keys` in Python sorted() (code point) order. */
export function sortedByCodePoint(keys: Iterable<string>): string[] {
  return [...keys].sort(compareCodePoints);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkString(value: string, where: string): void {
  // Lone surrogates cannot be encoded as UTF-8, so they cannot be digested.
  if (LONE_SURROGATE.test(value)) throw new CanonicalError("string contains a lone surrogate", where);
}

function typeName(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object" && value !== null) {
    const ctor: unknown = (value as { constructor?: unknown }).constructor;
    if (typeof ctor === "function" && ctor.name) return ctor.name;
  }
  return typeof value;
}

/** Validate a JSON value and return a copy with -0 made 0 (integral numbers are already integers in JS). */
export function normaliseJson(value: unknown, where = "value", depth = 0): JSONValue {
  if (depth > MAX_NESTING) throw new CanonicalError("nested too deeply", where);
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new CanonicalError("number is not finite", where);
    return value === 0 ? 0 : value; // JSON has one zero; Python stores int(-0.0) == 0
  }
  if (typeof value === "string") {
    checkString(value, where);
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown, i) => normaliseJson(item, `${where}[${i}]`, depth + 1));
  }
  if (isPlainObject(value)) {
    const out: Record<string, JSONValue> = {};
    for (const key of Object.keys(value)) {
      checkString(key, where);
      setOwn(out, key, normaliseJson(value[key], `${where}.${key}`, depth + 1));
    }
    return out;
  }
  throw new CanonicalError(`not a JSON value (${typeName(value)})`, where);
}

/** Write a number exactly as ECMAScript Number.prototype.toString does (-0 as "0"); refuse non-finite ones. */
export function formatNumber(value: number): string {
  if (typeof value === "boolean") throw new CanonicalError("boolean is not a number", "value");
  if (!Number.isFinite(value)) throw new CanonicalError("number is not finite", "value");
  return value === 0 ? "0" : String(value);
}

function write(value: unknown, out: string[], depth: number): void {
  if (depth > MAX_NESTING) throw new CanonicalError("nested too deeply", "value");
  if (value === null) {
    out.push("null");
  } else if (value === true) {
    out.push("true");
  } else if (value === false) {
    out.push("false");
  } else if (typeof value === "number") {
    out.push(formatNumber(value));
  } else if (typeof value === "string") {
    checkString(value, "value");
    out.push(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item: unknown, i) => {
      if (i) out.push(",");
      write(item, out, depth + 1);
    });
    out.push("]");
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value);
    for (const key of keys) checkString(key, "value");
    // Default sort compares UTF-16 code units: exactly RFC 8785's order.
    keys.sort();
    out.push("{");
    keys.forEach((key, i) => {
      if (i) out.push(",");
      out.push(JSON.stringify(key), ":");
      write(value[key], out, depth + 1);
    });
    out.push("}");
  } else {
    throw new CanonicalError(`not a JSON value (${typeName(value)})`, "value");
  }
}

/** Serialise a JSON value canonically (RFC 8785 style, no whitespace); throws CanonicalError otherwise. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, 0);
  return out.join("");
}

/** Compare two JSON values as JSON does (key order ignored, true is not 1, -0 equals 0). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return canonicalJson(a) === canonicalJson(b);
}
