/**
 * Per-client sequence rules: what to apply, what to replay, what to refuse
 * (PROTOCOL.md section 4; port of sync/sequence.py).
 */

import { SyncError } from "./errors";

/** How one incoming seq relates to the client's acknowledged prefix. */
export const SeqClass = {
  NEW: "new",
  ALREADY_ACKED: "already_acked",
  GAP: "gap",
} as const;
export type SeqClass = (typeof SeqClass)[keyof typeof SeqClass];

/** Whether a re-sent seq carries the same content as the stored one. */
export const ReplayVerdict = {
  SAME: "same",
  SEQ_REUSED: "seq_reused",
} as const;
export type ReplayVerdict = (typeof ReplayVerdict)[keyof typeof ReplayVerdict];

/** Classification of a seq; `expected` is always last_acked_seq + 1. */
export interface SeqVerdict {
  readonly kind: SeqClass;
  readonly expected: number;
}

/** A valid batch split into seqs to replay (stored results) and seqs to apply. */
export interface BatchPlan {
  readonly replayed: readonly number[];
  readonly new: readonly number[];
  readonly last_seq: number;
}

function checkCounter(value: unknown, name: string, minimum: number): void {
  // These come from storage or an already-parsed envelope, so a bad value is
  // a programming error, not a client error (Python raises ValueError).
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an int >= ${minimum}, got ${String(value)}`);
  }
}

/** Classify `seq` against the client's last acknowledged seq. */
export function classifySeq(lastAckedSeq: number, seq: number): SeqVerdict {
  checkCounter(lastAckedSeq, "last_acked_seq", 0);
  checkCounter(seq, "seq", 1);
  const expected = lastAckedSeq + 1;
  if (seq === expected) return { kind: SeqClass.NEW, expected };
  if (seq < expected) return { kind: SeqClass.ALREADY_ACKED, expected };
  return { kind: SeqClass.GAP, expected };
}

/** Validate that a batch is contiguous and increasing; it may start inside the acknowledged prefix. */
export function checkBatch(lastAcked: number, seqs: readonly number[]): BatchPlan {
  checkCounter(lastAcked, "last_acked", 0);
  const replayed: number[] = [];
  const fresh: number[] = [];
  let previous: number | null = null;
  seqs.forEach((seq, index) => {
    checkCounter(seq, "seq", 1);
    const where = `mutations[${index}].seq`;
    const expected = previous === null ? lastAcked + 1 : previous + 1;
    if (seq > expected) throw gap(where, expected, seq);
    // Only the first seq may sit below `expected` (a retry whose response was
    // lost); inside a batch seqs must rise by exactly 1.
    if (previous !== null && seq < expected) {
      throw new SyncError(
        "invalid_batch",
        `${where}: seqs in a batch must rise by 1; expected ${expected}, got ${seq}`,
        { field: where, expected, got: seq },
      );
    }
    (seq <= lastAcked ? replayed : fresh).push(seq);
    previous = seq;
  });
  const lastSeq = fresh.length > 0 ? (fresh[fresh.length - 1] as number) : lastAcked;
  return { replayed, new: fresh, last_seq: lastSeq };
}

function gap(where: string, expected: number, got: number): SyncError {
  return new SyncError("seq_gap", `${where}: expected seq ${expected}, got ${got}`, {
    field: where,
    expected,
    got,
  });
}

/** Same digest: answer the stored result again; different: `seq_reused`. */
export function replayVerdict(storedDigest: string, newDigest: string): ReplayVerdict {
  return storedDigest === newDigest ? ReplayVerdict.SAME : ReplayVerdict.SEQ_REUSED;
}

/** Throw `seq_reused` if a re-sent seq carries different content. */
export function checkReplay(seq: number, storedDigest: string, newDigest: string): void {
  if (replayVerdict(storedDigest, newDigest) === ReplayVerdict.SEQ_REUSED) {
    throw new SyncError("seq_reused", `seq ${seq} was already acknowledged with different content`, {
      seq,
      field: "seq",
    });
  }
}
