/**
 * Rows in and out of the vault. `sealedAt` names the place each sealed value is bound to (its
 * AAD, see vault.ts): a value sealed at one place does not open at another, so these strings
 * are what every sealed value on a phone was written with, and never change.
 */

import type { Conflict } from "../sync";
import type { CollectionName, Fields, LocalRecord, OutboxEntry, PushResult, ServerCopy } from "../model/types";
import type { OutboxRow, RecordRow, ServerRow } from "./schema";
import type { Vault } from "./vault";

export const sealedAt = {
  meta: (key: string): string => `meta/${key}`,
  record: (collection: CollectionName, id: string): string => `records/${collection}/${id}`,
  server: (collection: CollectionName, id: string): string => `server/${collection}/${id}`,
  /** A queued mutation: its sync identity, seq and record. */
  outbox: (e: { epoch: number; seq: number; collection: CollectionName; id: string }): string =>
    `outbox/${e.epoch}/${e.seq}/${e.collection}/${e.id}`,
  draft: (collection: CollectionName, id: string, path: string): string => `drafts/${collection}/${id}/${path}`,
  photo: (id: string): string => `photos/${id}`,
};

export async function openRecord(vault: Vault, row: RecordRow): Promise<LocalRecord> {
  const { fields, conflicts } = await vault.open<{ fields: Fields; conflicts: Conflict[] }>(
    row.sealed,
    sealedAt.record(row.collection, row.id),
  );
  return {
    collection: row.collection,
    id: row.id,
    visit_id: row.visit_id,
    base_rev: row.base_rev,
    pending: row.pending,
    updated_at: row.updated_at,
    fields,
    conflicts,
  };
}

export async function sealRecord(vault: Vault, r: LocalRecord): Promise<RecordRow> {
  return {
    collection: r.collection,
    id: r.id,
    visit_id: r.visit_id,
    base_rev: r.base_rev,
    pending: r.pending,
    updated_at: r.updated_at,
    sealed: await vault.seal({ fields: r.fields, conflicts: r.conflicts }, sealedAt.record(r.collection, r.id)),
  };
}

export async function openServer(vault: Vault, row: ServerRow): Promise<ServerCopy> {
  const { record, conflicts } = await vault.open<{ record: Fields; conflicts: Conflict[] }>(
    row.sealed,
    sealedAt.server(row.collection, row.id),
  );
  const { sealed: _sealed, ...rest } = row;
  return { ...rest, record, conflicts };
}

export async function sealServer(vault: Vault, s: ServerCopy): Promise<ServerRow> {
  return {
    collection: s.collection,
    id: s.id,
    visit_id: s.visit_id,
    rev: s.rev,
    deleted: s.deleted,
    sealed: await vault.seal({ record: s.record, conflicts: s.conflicts }, sealedAt.server(s.collection, s.id)),
  };
}

export async function openEntry(vault: Vault, row: OutboxRow): Promise<OutboxEntry> {
  const { fields, result } = await vault.open<{ fields: Fields; result: PushResult | null }>(row.sealed, sealedAt.outbox(row));
  const { sealed: _sealed, ...rest } = row;
  return { ...rest, fields, result };
}

export async function sealEntry(vault: Vault, e: OutboxEntry): Promise<OutboxRow> {
  const { fields, result, ...rest } = e;
  return { ...rest, sealed: await vault.seal({ fields, result }, sealedAt.outbox(e)) };
}
