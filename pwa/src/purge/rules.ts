/**
 * Purge rules (pure): once the server has confirmed a visit, the phone keeps only a stub.
 *
 * A visit may leave the phone when, from what the phone last pulled:
 * - the server copy of the visit exists, is not deleted, and its status is `completed` or
 *   `approved` (a `returned` or `draft` visit is still the officer's work);
 * - every photo of the visit that the server knows has `upload.status == "verified"`, and no
 *   photo bytes of it are still held on the phone;
 * - nothing of it is waiting: no outbox entry for any of its records (queued, accepted but not
 *   yet reflected, or rejected: a refusal is shown to the officer, never dropped), no pending
 *   local edit, no conflict, no unsaved draft.
 *
 * It then stays `graceMs` (default 24 h) from the moment the phone first saw it eligible, by
 * the phone's own clock (server and device clocks may disagree; a difference of two readings
 * of one clock does not). Anything that makes it ineligible again restarts the wait.
 */

import type { Conflict } from "../sync";
import type { CollectionName, Fields } from "../model/types";

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "approved"]);
export const DEFAULT_PURGE_GRACE_MS = 24 * 60 * 60 * 1000;

export interface PurgeFacts {
  visit: { deleted: boolean; record: Fields; conflicts: Conflict[] } | null;
  /** Server copies of the visit's child records. */
  children: { collection: CollectionName; id: string; deleted: boolean; record: Fields; conflicts: Conflict[] }[];
  /** Local views of the visit and its children (pending edits, conflicts). */
  views: { pending: number; conflicts: Conflict[] }[];
  /** Outbox entries for the visit or any of its records, whatever their state. */
  outboxEntries: number;
  /** Photo blobs of the visit still on the phone. */
  photoBlobs: number;
  /** Unsaved drafts on the visit's records. */
  drafts: number;
}

/** Why this visit must stay on the phone (empty: it may go once the grace time is over). */
export function purgeBlockers(f: PurgeFacts): string[] {
  const out: string[] = [];
  if (!f.visit || f.visit.deleted) return ["not on the server"];
  const status = f.visit.record["status"];
  if (typeof status !== "string" || !TERMINAL_STATUSES.has(status)) out.push(`status ${String(status ?? "none")}`);
  if (f.visit.conflicts.length > 0) out.push("conflicts");
  for (const c of f.children) {
    if (c.deleted) continue;
    if (c.conflicts.length > 0) out.push(`conflicts on ${c.collection}/${c.id}`);
    if (c.collection === "photos" && c.record["upload.status"] !== "verified") out.push(`photo ${c.id} not verified`);
  }
  if (f.views.some((v) => v.pending > 0)) out.push("local edits pending");
  if (f.views.some((v) => v.conflicts.length > 0)) out.push("conflicts to resolve");
  if (f.outboxEntries > 0) out.push("changes in the outbox");
  if (f.photoBlobs > 0) out.push("photo bytes on the phone");
  if (f.drafts > 0) out.push("unsaved drafts");
  return out;
}

/** Is an eligible visit, first seen eligible at `seenAt`, due for purging at `now`? */
export function purgeDue(seenAt: number, now: number, graceMs: number): boolean {
  return now - seenAt >= graceMs;
}

/** What the phone keeps of a purged visit (sealed, like everything else about a visit). */
export interface VisitStub {
  id: string;
  crime_reference: string | null;
  status: string;
  /** The day of the visit (YYYY-MM-DD), from arrival or, failing that, the report. */
  date: string | null;
  purged_at: string;
}

export function stubOf(id: string, record: Fields, purgedAt: string): VisitStub {
  const ref = record["reference.crime_reference"];
  const when = record["attendance.arrived_at"] ?? record["reference.reported_at"];
  return {
    id,
    crime_reference: typeof ref === "string" && ref ? ref : null,
    status: typeof record["status"] === "string" ? (record["status"] as string) : "completed",
    date: typeof when === "string" && when.length >= 10 ? when.slice(0, 10) : null,
    purged_at: purgedAt,
  };
}
