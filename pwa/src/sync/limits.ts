/** Batch and body limits (PROTOCOL.md section 10; port of sync/limits.py without the server's gzip inflater). */

import { SyncError } from "./errors";

export const MAX_MUTATIONS_PER_PUSH = 500;
/** Measured after decompression: the limit protects server memory. */
export const MAX_PUSH_BODY_BYTES = 1024 * 1024;
export const MAX_PULL_BODY_BYTES = 16 * 1024;
export const MAX_FIELDS_PER_MUTATION = 500;
export const PULL_LIMIT_MIN = 1;
export const PULL_LIMIT_MAX = 1000;
export const DEFAULT_PULL_LIMIT = 200;
/** A pull page also stops early once its encoded changes pass this size (has_more stays true). */
export const PULL_PAGE_SOFT_BYTES = 4 * 1024 * 1024;

/** Throw `payload_too_large` if a (decompressed) body exceeds `limit` bytes. */
export function checkBodySize(bodyBytes: number, limit: number = MAX_PUSH_BODY_BYTES): void {
  if (bodyBytes > limit) {
    throw new SyncError(
      "payload_too_large",
      `body is ${bodyBytes} bytes after decompression; the limit is ${limit}`,
      { limit, size: bodyBytes },
    );
  }
}

/** Throw 413 errors if a push has too many mutations or too many bytes (bytes checked first). */
export function checkPushLimits(mutationCount: number, bodyBytes: number): void {
  checkBodySize(bodyBytes, MAX_PUSH_BODY_BYTES);
  if (mutationCount > MAX_MUTATIONS_PER_PUSH) {
    throw new SyncError(
      "too_many_mutations",
      `${mutationCount} mutations; at most ${MAX_MUTATIONS_PER_PUSH} per push`,
      { limit: MAX_MUTATIONS_PER_PUSH, size: mutationCount },
    );
  }
}

/** Return a valid pull page size (null or absent means the default) or throw `invalid_limit`. */
export function checkPullLimit(limit: unknown): number {
  if (limit === null || limit === undefined) return DEFAULT_PULL_LIMIT;
  if (
    typeof limit !== "number" ||
    !Number.isInteger(limit) ||
    limit < PULL_LIMIT_MIN ||
    limit > PULL_LIMIT_MAX
  ) {
    throw new SyncError(
      "invalid_limit",
      `limit must be an integer from ${PULL_LIMIT_MIN} to ${PULL_LIMIT_MAX}`,
      { field: "limit", min: PULL_LIMIT_MIN, max: PULL_LIMIT_MAX },
    );
  }
  return limit;
}
