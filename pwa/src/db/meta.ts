/**
 * The `meta` store: small values under fixed keys. Every key the app uses is declared in
 * `META`, with what it holds; the strings are the ones phones in the field already have, so
 * they never change (test/db/meta.test.ts pins them).
 */

import type { Database } from "./database";
import { sealedAt } from "./sealing";

export const META = {
  // The sync identity (PROTOCOL.md 11.8): renewed together by a sequence recovery.
  /** This phone's client_id for sync (a UUID). */
  clientId: "client_id",
  /** Which sync identity the outbox's seqs belong to (bumped with every new client_id). */
  epoch: "epoch",
  /** The seq the next queued mutation gets. */
  nextSeq: "next_seq",
  /** Accepted mutations up to this seq are reflected in what has been pulled. */
  reflectedSeq: "reflected_seq",
  /** The server has acknowledged mutations up to this seq. */
  ackedSeq: "acked_seq",
  /** Where the change feed goes on from (null or absent: from the start). */
  cursor: "cursor",
  /** seq_reused or an unrecoverable gap: pushing stops until the officer recovers. */
  seqBroken: "seq_broken",

  // The sync client's status, kept across reloads.
  lastSyncAt: "last_sync_at",
  /** The session expired: nothing is sent until the officer signs in again. */
  signinNeeded: "signin_needed",

  // Whose data this database holds (one database per officer on a shared phone).
  /** Clear: the id of the officer whose data this is (a UUID; nothing about a victim). */
  owner: "owner",
  /** Clear: when its officer last signed in or unlocked here (ms); the app opens the latest. */
  lastActiveAt: "last_active_at",

  // Device encryption and locking.
  /** The vault configuration (clear: wrapped data key and public KDF parameters). */
  vault: "vault",
  /** Wrong PINs so far and when the last one was. */
  pinFailures: "pin_failures",
  /** The idle lock time last sent by the server, for a start without a profile. */
  lockIdleMs: "lock_idle_ms",
  /** Whether the passkey made at enrolment has PRF. */
  prfEnabled: "prf_enabled",

  // Purge.
  /** Sealed: stubs of the visits this phone has purged. */
  purgedVisits: "purged_visits",
  /** Clear (visit ids only): when each visit was first seen eligible for purging. */
  purgeSeen: "purge_seen",
  /** A purged visit came back (reopened): the app pulls everything again. */
  repull: "repull",

  // The officer and the force, kept for offline use.
  /** Sealed: GET /api/me. */
  profile: "profile",
  /** The advice catalogue. */
  catalogue: "catalogue",
  /** The leave-behind texts in force (GET /api/leave-behind; not personal data). */
  leaveBehind: "leave_behind",
  /** Whether the browser granted persistent storage. */
  persisted: "persisted",
} as const;

export type MetaKey = (typeof META)[keyof typeof META];

/** What a store that has `meta` in a readwrite transaction can do with it. */
interface MetaWriter {
  put(value: unknown, key: string): Promise<unknown>;
}

/** Start a sync identity in `meta`: a new client_id, its first seq `nextSeq`, nothing acknowledged. */
export async function putSyncIdentity(meta: MetaWriter, epoch: number, nextSeq: number): Promise<void> {
  await meta.put(crypto.randomUUID(), META.clientId);
  await meta.put(epoch, META.epoch);
  await meta.put(nextSeq, META.nextSeq);
  await meta.put(0, META.reflectedSeq);
  await meta.put(0, META.ackedSeq);
}

export class Meta {
  constructor(private readonly db: Database) {}

  async get<T>(key: MetaKey): Promise<T | undefined> {
    return (await this.db.idb.get("meta", key)) as T | undefined;
  }

  async set(key: MetaKey, value: unknown): Promise<void> {
    await this.db.write(() => this.db.idb.put("meta", value, key).then(() => undefined));
  }

  async delete(key: MetaKey): Promise<void> {
    await this.db.write(() => this.db.idb.delete("meta", key));
  }

  /** A value holding personal data (the profile, for instance), sealed at rest. */
  async getSealed<T>(key: MetaKey): Promise<T | undefined> {
    const raw = await this.db.idb.get("meta", key);
    return raw === undefined ? undefined : this.db.vault.open<T>(raw, sealedAt.meta(key));
  }

  async setSealed(key: MetaKey, value: unknown): Promise<void> {
    const sealed = await this.db.vault.seal(value, sealedAt.meta(key));
    await this.set(key, sealed);
  }

  async clientId(): Promise<string> {
    return (await this.get<string>(META.clientId)) as string;
  }

  /** Give a new database its first sync identity (seq from 1). */
  async ensureSyncIdentity(): Promise<void> {
    await this.db.write(async () => {
      const tx = this.db.idb.transaction("meta", "readwrite");
      if ((await tx.store.get(META.clientId)) === undefined) await putSyncIdentity(tx.store, 1, 1);
      await tx.done;
    });
  }
}
