/**
 * Push and pull request envelopes (PROTOCOL.md sections 3 and 8; port of
 * parse_push / parse_pull in sync/mutations.py). The client uses them to check
 * the bodies it is about to send.
 *
 * The envelope (client_id, the list, each seq) failing means nothing can be
 * acknowledged, so the whole request is refused; a mutation's content is
 * checked later, one by one, by parseMutation.
 */

import { isPlainObject } from "./canonical";
import { decodeCursor } from "./cursor";
import { mutationDigest } from "./digest";
import { SyncError } from "./errors";
import { checkPullLimit, checkPushLimits } from "./limits";
import { parseSeq, parseUuid } from "./mutations";

/** A mutation whose envelope is valid: its position, seq, raw body and content digest. */
export interface PushEntry {
  readonly index: number;
  readonly seq: number;
  readonly raw: Readonly<Record<string, unknown>>;
  readonly digest: string;
}

/** A push whose envelope is valid; each entry's content is parsed later. */
export interface PushRequest {
  readonly client_id: string;
  readonly entries: readonly PushEntry[];
}

/** A validated pull: after which change version, and how many changes at most. */
export interface PullRequest {
  readonly client_id: string;
  readonly after_version: number;
  readonly limit: number;
}

function invalid(code: string, where: string, message: string): SyncError {
  return new SyncError(code, `${where}: ${message}`, { field: where });
}

/** Check a push envelope (client_id, mutations list, each seq) and digest its entries. */
export async function parsePush(body: unknown, bodyBytes = 0): Promise<PushRequest> {
  if (!isPlainObject(body)) throw invalid("invalid_request", "body", "must be a JSON object");
  const clientId = parseUuid(body["client_id"], "client_id", "invalid_request");
  const mutations = body["mutations"];
  if (!Array.isArray(mutations)) throw invalid("invalid_request", "mutations", "must be a list");
  checkPushLimits(mutations.length, bodyBytes);
  const entries: PushEntry[] = [];
  for (const [i, raw] of (mutations as unknown[]).entries()) {
    if (!isPlainObject(raw)) throw invalid("invalid_mutation", `mutations[${i}]`, "must be an object");
    const seq = parseSeq(raw["seq"], `mutations[${i}].seq`);
    entries.push({ index: i, seq, raw, digest: await mutationDigest(raw) });
  }
  return { client_id: clientId, entries };
}

/** Check a pull body and decode its cursor (null means from the beginning). */
export function parsePull(body: unknown): PullRequest {
  if (!isPlainObject(body)) throw invalid("invalid_request", "body", "must be a JSON object");
  const clientId = parseUuid(body["client_id"], "client_id", "invalid_request");
  const cursor = body["cursor"];
  const after = cursor === null || cursor === undefined ? 0 : decodeCursor(cursor);
  return { client_id: clientId, after_version: after, limit: checkPullLimit(body["limit"]) };
}
