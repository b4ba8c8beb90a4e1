/** A page of the change feed (PROTOCOL.md section 8), as the server sends it. */

import type { Conflict } from "../sync";
import type { CollectionName, Fields } from "../model/types";

/** One change of a pull page, as the server sends it. */
export interface PullChange {
  collection: CollectionName;
  id: string;
  rev: number;
  deleted: boolean;
  record: Fields | null;
  conflicts: Conflict[];
  reason?: string;
}

/** One page of a pull, as the server sends it. */
export interface PullPage {
  cursor: string;
  has_more: boolean;
  last_seq: number;
  changes: PullChange[];
  reset?: boolean;
}

/** The visit a pulled change belongs to (its own id for a visit). */
export function visitOf(c: PullChange): string | null {
  return c.collection === "visits" ? c.id : typeof c.record?.["visit_id"] === "string" ? (c.record["visit_id"] as string) : null;
}
