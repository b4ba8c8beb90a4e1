/**
 * The one place a queued mutation becomes what goes on the wire (PROTOCOL.md section 3): the
 * shape the sync engine parses (`WireMutation`), with `_resolve` still inside `fields` as it is
 * queued. It is what the outbox validates before queueing, what a batch's size is measured by,
 * and what the sync client sends.
 */

import type { WireMutation } from "../sync";
import type { OutboxEntry } from "../model/types";

export function wireOf(e: OutboxEntry): WireMutation {
  return { seq: e.seq, collection: e.collection, id: e.id, op: e.op, base_rev: e.base_rev, fields: e.fields, at: e.at };
}

const encoder = new TextEncoder();

/** The bytes `e` takes in a push body's JSON. */
export function wireBytes(e: OutboxEntry): number {
  return encoder.encode(JSON.stringify(wireOf(e))).length;
}
