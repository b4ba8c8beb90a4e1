/**
 * What one edit queues (pure): the mutation, a new one with the next seq or merged into the
 * last one while that is unsent and for the same record, and the local view with it applied.
 */

import { parseMutation, RESOLVE_KEY } from "../sync";
import type { CollectionName, Fields, LocalRecord, OutboxEntry } from "../model/types";
import { wireOf } from "./wire";

export interface EditInput {
  collection: CollectionName;
  id: string;
  /** Dotted paths to set (ignored for a delete). */
  fields?: Fields;
  op?: "put" | "delete";
  /** Conflicts on these paths have been seen; the value in `fields` (if any) resolves them. */
  resolve?: string[];
  /** The visit the record belongs to (its own id for a visit). */
  visit_id: string | null;
  /** Merge into the last queued mutation when it is for the same record and not yet sent. */
  coalesce?: boolean;
  at?: string;
}

export interface PlannedEdit {
  /** The entry to write: new (seq `nextSeq`), or the last entry with this edit merged in. */
  entry: OutboxEntry;
  coalesced: boolean;
  /** The new local view (null: the record is deleted). */
  view: LocalRecord | null;
  /** The paths this edit sets: their unsaved drafts are replaced by the queued value. */
  paths: string[];
}

/**
 * Plan `input` against the current view `record`, the last outbox entry `last`, and the sync
 * identity (`epoch`, `nextSeq`). Throws (SyncError) when the mutation is not one the server
 * would accept, before anything is written.
 */
export function planEdit(
  input: EditInput,
  record: LocalRecord | undefined,
  last: OutboxEntry | undefined,
  nextSeq: number,
  epoch: number,
): PlannedEdit {
  const op = input.op ?? "put";
  const fields: Fields = op === "put" ? { ...(input.fields ?? {}) } : {};
  const at = input.at ?? new Date().toISOString();
  const baseRev = record ? record.base_rev : null;
  const visitId = input.visit_id ?? record?.visit_id ?? null;
  if (input.resolve && input.resolve.length > 0) fields[RESOLVE_KEY] = [...input.resolve];
  const coalesced =
    input.coalesce !== false &&
    op === "put" &&
    last !== undefined &&
    !last.sent &&
    last.state === "queued" &&
    last.epoch === epoch &&
    last.op === "put" &&
    last.collection === input.collection &&
    last.id === input.id &&
    last.base_rev === baseRev &&
    !(RESOLVE_KEY in last.fields) &&
    !(RESOLVE_KEY in fields);
  const entry: OutboxEntry = coalesced
    ? { ...(last as OutboxEntry), fields: { ...(last as OutboxEntry).fields, ...fields }, at }
    : {
        epoch,
        seq: nextSeq,
        collection: input.collection,
        id: input.id,
        op,
        base_rev: baseRev,
        fields,
        at,
        visit_id: visitId,
        sent: false,
        state: "queued",
        result: null,
        dismissed: false,
      };
  // What is queued is what the server will accept as a mutation (paths, values, at).
  parseMutation(wireOf(entry));
  let view: LocalRecord | null = null;
  if (op === "put") {
    const resolved = new Set(input.resolve ?? []);
    const viewFields = { ...(record?.fields ?? {}) };
    for (const [path, value] of Object.entries(fields)) {
      if (path !== RESOLVE_KEY) viewFields[path] = value;
    }
    view = {
      collection: input.collection,
      id: input.id,
      visit_id: visitId,
      base_rev: baseRev,
      fields: viewFields,
      conflicts: (record?.conflicts ?? []).filter((c) => !resolved.has(c.field)),
      pending: (record?.pending ?? 0) + (coalesced ? 0 : 1),
      updated_at: at,
    };
  }
  return { entry, coalesced, view, paths: Object.keys(fields).filter((p) => p !== RESOLVE_KEY) };
}
