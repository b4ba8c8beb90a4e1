/**
 * Content digests (PROTOCOL.md 4.1): SHA-256 hex of canonical JSON, computed
 * with Web Crypto (browser, service worker and Node 20 alike).
 */

import { CanonicalError, canonicalJson, hasOwn, isPlainObject } from "./canonical";
import { SyncError } from "./errors";
import { DIGEST_KEYS, UUID_RE, mutationToWire, type Mutation } from "./mutations";

/** SHA-256 (lower-case hex) of the UTF-8 bytes of `text`. */
export async function sha256Hex(text: string): Promise<string> {
  const hash = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 hex of the UTF-8 canonical JSON of a value (throws CanonicalError for non-JSON). */
export async function canonicalDigest(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}

/** The object a raw mutation's digest covers: DIGEST_KEYS only, absent keys null, fields {} if null, UUID id lower-cased. */
export function digestView(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const key of DIGEST_KEYS) view[key] = hasOwn(raw, key) ? raw[key] : null;
  if (view["fields"] === null || view["fields"] === undefined) view["fields"] = {};
  const id = view["id"];
  if (typeof id === "string" && UUID_RE.test(id)) view["id"] = id.toLowerCase();
  return view;
}

/**
 * SHA-256 hex of canonical JSON of {collection, id, op, base_rev, fields, at}
 * of a raw wire mutation (as queued and sent; possibly invalid). Throws
 * `invalid_mutation` if it is not interoperable JSON. For a parsed Mutation use
 * mutationDigestOf.
 */
export async function mutationDigest(raw: unknown): Promise<string> {
  if (!isPlainObject(raw)) throw new TypeError("mutationDigest needs a mutation object");
  let text: string;
  try {
    text = canonicalJson(digestView(raw));
  } catch (exc) {
    if (exc instanceof CanonicalError) {
      throw new SyncError("invalid_mutation", `mutation is not interoperable JSON: ${exc.reason}`, {
        field: "mutation",
        reason: exc.reason,
      });
    }
    throw exc;
  }
  return sha256Hex(text);
}

/** The digest of a parsed mutation: that of its wire form (`_resolve` back inside fields). */
export async function mutationDigestOf(m: Mutation): Promise<string> {
  return mutationDigest(mutationToWire(m));
}
