/**
 * Rebasing (PROTOCOL.md 11.7): what the officer sees is the pulled server copy with every local
 * edit the server has not yet reflected overlaid, in seq order. Queued mutations keep their own
 * base_rev; the server merges them. Rejected edits are not overlaid: they wait in "Needs
 * attention" instead.
 */

import { RESOLVE_KEY } from "../sync";
import type { Fields, LocalRecord, OutboxEntry, ServerCopy } from "./types";

/** Whether an outbox entry still has to be overlaid on the server copy. */
export function isPending(entry: OutboxEntry, reflectedSeq: number): boolean {
  if (entry.state === "queued") return true;
  return entry.state === "accepted" && entry.seq > reflectedSeq;
}

/** The local view of one record, or null when there is nothing to show. */
export function rebase(
  server: ServerCopy | undefined,
  entries: readonly OutboxEntry[],
  reflectedSeq: number,
  now: string,
): LocalRecord | null {
  // A tombstone (deleted, or out of the caller's scope) removes the local copy; any edit still
  // queued for it will come back rejected and wait in "Needs attention".
  if (server?.deleted) return null;
  // A record the server never accepted (its creation was refused) stays visible with what the
  // officer entered, so nothing disappears from the list; "Needs attention" says why.
  const neverAccepted = server === undefined && !entries.some((e) => e.state === "accepted");
  const pending = entries
    .filter((e) => isPending(e, reflectedSeq) || (neverAccepted && e.state === "rejected" && !e.dismissed))
    .sort((a, b) => a.seq - b.seq);
  if (server === undefined && pending.length === 0) return null;
  const first = pending[0] ?? null;
  const fields: Fields = server ? { ...server.record } : {};
  let conflicts = server ? [...server.conflicts] : [];
  let deleted = false;
  for (const e of pending) {
    if (e.op === "delete") {
      deleted = true;
      continue;
    }
    for (const [path, value] of Object.entries(e.fields)) {
      if (path === RESOLVE_KEY) {
        const resolved = new Set(value as string[]);
        conflicts = conflicts.filter((c) => !resolved.has(c.field));
      } else {
        fields[path] = value;
      }
    }
  }
  if (deleted) return null;
  return {
    collection: server?.collection ?? (first as OutboxEntry).collection,
    id: server?.id ?? (first as OutboxEntry).id,
    visit_id: server?.visit_id ?? first?.visit_id ?? null,
    base_rev: server ? server.rev : null,
    fields,
    conflicts,
    pending: pending.length,
    updated_at: now,
  };
}
