import type { PullChange } from "../../src/feed/page";

export const V1 = "11111111-1111-4111-8111-111111111111";
export const V2 = "22222222-2222-4222-8222-222222222222";
export const P1 = "33333333-3333-4333-8333-333333333333";
export const P2 = "44444444-4444-4444-8444-444444444444";
export const HOUR = 3_600_000;

/** One change of a pull page. */
export const change = (collection: PullChange["collection"], id: string, record: Record<string, unknown> | null, rev = 1, deleted = false): PullChange =>
  ({ collection, id, rev, deleted, record: record as never, conflicts: [] });
