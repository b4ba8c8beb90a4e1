/**
 * Opaque pull cursors: base64url (no padding) of canonical JSON {"n": version, "v": 1}
 * (PROTOCOL.md 8.3; port of sync/cursor.py).
 *
 * The client never needs to look inside a cursor; these functions exist so it
 * can check one it holds and so both sides provably agree on the format.
 */

import { MAX_SAFE_INTEGER, canonicalJson, isPlainObject } from "./canonical";
import { SyncError } from "./errors";

export const CURSOR_FORMAT = 1;
export const MAX_CURSOR_LENGTH = 512;

const B64URL_RE = /^[A-Za-z0-9_-]+$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A decoded cursor: the last delivered change version and an optional scope tag. */
export interface Cursor {
  readonly version: number;
  readonly scope: string | null;
}

/** base64url without padding of some bytes. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const left = bytes.length - i;
    out += ALPHABET[a >> 2];
    out += ALPHABET[((a & 3) << 4) | (b >> 4)];
    if (left > 1) out += ALPHABET[((b & 15) << 2) | (c >> 6)];
    if (left > 2) out += ALPHABET[c & 63];
  }
  return out;
}

/** Decode unpadded base64url (alphabet already checked, length % 4 != 1); stray low bits are dropped. */
function base64UrlDecode(s: string): Uint8Array {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let j = 0;
  for (const ch of s) {
    bits = (bits << 6) | ALPHABET.indexOf(ch);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[j++] = (bits >> count) & 0xff;
    }
  }
  return out.subarray(0, j);
}

/** Encode a change version (and optional scope tag) as an opaque cursor string. */
export function encodeCursor(version: number, scope: string | null = null): string {
  if (
    typeof version !== "number" ||
    !Number.isInteger(version) ||
    version < 0 ||
    version > MAX_SAFE_INTEGER
  ) {
    throw new RangeError(`version must be an int from 0 to 2^53-1, got ${String(version)}`);
  }
  const body: Record<string, number | string> = { v: CURSOR_FORMAT, n: version };
  if (scope !== null) body["s"] = scope;
  return base64UrlEncode(new TextEncoder().encode(canonicalJson(body)));
}

function bad(reason: string): SyncError {
  // One code for every failure: the client's only remedy is the same.
  return new SyncError("bad_cursor", `cursor is not valid (${reason}); pull again with cursor null`, {
    field: "cursor",
    reason,
  });
}

const WS = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /true|false|null/y;

function match(re: RegExp, text: string, pos: number): string {
  re.lastIndex = pos;
  const m = re.exec(text);
  if (m === null) throw new SyntaxError(`unexpected JSON at ${pos}`);
  return m[0];
}

/**
 * The number literals of the top-level members of a JSON object text, by key
 * (last one wins, as in JSON.parse). Python reads `1` as int and `1.0` as
 * float and only takes an int as a cursor position; JSON.parse cannot tell
 * them apart, so the literal is read from the text. `text` is valid JSON.
 */
function topLevelNumberLiterals(text: string): Map<string, string> {
  const literals = new Map<string, string>();
  let pos = match(WS, text, 0).length + 1; // past "{"
  const skipWs = (): void => {
    pos += match(WS, text, pos).length;
  };
  const skipValue = (): string | null => {
    const ch = text[pos];
    if (ch === '"') {
      pos += match(STRING, text, pos).length;
    } else if (ch === "{" || ch === "[") {
      let depth = 0;
      do {
        const c = text[pos];
        if (c === '"') {
          pos += match(STRING, text, pos).length;
          continue;
        }
        if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") depth--;
        pos++;
      } while (depth > 0);
    } else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) {
      const literal = match(NUMBER, text, pos);
      pos += literal.length;
      return literal;
    } else {
      pos += match(WORD, text, pos).length;
    }
    return null;
  };
  for (;;) {
    skipWs();
    if (text[pos] === "}") break;
    const token = match(STRING, text, pos);
    pos += token.length;
    const key = JSON.parse(token) as string;
    skipWs();
    pos++; // ":"
    skipWs();
    const literal = skipValue();
    if (literal === null) literals.delete(key);
    else literals.set(key, literal);
    skipWs();
    if (text[pos] === ",") pos++;
  }
  return literals;
}

/** Decode a cursor fully or throw `bad_cursor`. */
export function parseCursor(s: unknown): Cursor {
  if (typeof s !== "string") throw bad("not a string");
  if (!s || [...s].length > MAX_CURSOR_LENGTH || !B64URL_RE.test(s)) throw bad("not base64url");
  if (s.length % 4 === 1) throw bad("not base64url");
  const raw = base64UrlDecode(s);
  // Re-encoding must give the same text: one position has exactly one cursor.
  if (base64UrlEncode(raw) !== s) throw bad("not canonical base64url");
  let text: string;
  let body: unknown;
  try {
    // ignoreBOM keeps a leading U+FEFF so JSON.parse refuses it, as Python's json does.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw);
    body = JSON.parse(text);
  } catch {
    throw bad("not JSON");
  }
  if (!isPlainObject(body)) throw bad("not an object");
  if (body["v"] !== CURSOR_FORMAT) throw bad("unknown cursor format");
  const version = body["n"];
  const literal = topLevelNumberLiterals(text).get("n");
  if (
    typeof version !== "number" ||
    literal === undefined ||
    !/^-?[0-9]+$/.test(literal) ||
    !(version >= 0 && version <= MAX_SAFE_INTEGER)
  ) {
    throw bad("bad position");
  }
  const scope = body["s"];
  if (scope !== undefined && scope !== null && typeof scope !== "string") throw bad("bad scope");
  // Other keys are ignored so format 1 can grow optional fields.
  return { version: version === 0 ? 0 : version, scope: typeof scope === "string" ? scope : null };
}

/** Return the change version a cursor names, or throw `bad_cursor`. */
export function decodeCursor(s: unknown): number {
  return parseCursor(s).version;
}
