/**
 * The officers' databases on a shared phone. Each officer who signs in here has a database of
 * their own (db/schema.ts: `doorstep` for the first, `doorstep-officer-<id>` for the others), so
 * when someone else signs in, an officer's unsent work is never merged, moved or deleted: it
 * stays sealed under its officer's key, untouched, and syncs when they sign in here again. Only
 * its officer's own "Sign out and wipe" (after being shown what is unsent) or a revocation
 * deletes it (SECURITY.md 33).
 *
 * Whose a database is, is kept in clear in its meta (`owner`: the officer's id, nothing about a
 * victim). A database from before (no owner yet) is claimed by its officer at the next unlock,
 * and is recognised meanwhile by the passkey that unlocks it.
 */

import { listOfficerDbs } from "../db/database";
import { META } from "../db/meta";
import { DB_NAME, officerDbName } from "../db/schema";
import { Store, type Counts } from "./store";

export interface OfficerDatabase {
  name: string;
  /** The id of the officer whose data it holds, when known. */
  owner: string | null;
  /** When its officer last signed in or unlocked here (ms; 0: never recorded). */
  lastActiveAt: number;
  /** Whether a data key was set up in it (so it may hold its officer's data). */
  keyed: boolean;
  /** The passkey whose PRF unlocks it, if any. */
  credentialId: string | null;
  /** What it holds that has not reached the server (clear bookkeeping: no key needed). */
  counts: Counts;
}

/** What another officer's database holds that has not reached the server, in total. */
export interface OthersWaiting {
  officers: number;
  waiting: number;
  rejected: number;
  photosWaiting: number;
}

interface StoredVault {
  prf?: { credential_id?: string } | null;
}

/** What each database on the phone says about itself, read without any key (opened locked). */
export async function officerDatabases(): Promise<OfficerDatabase[]> {
  const found: OfficerDatabase[] = [];
  for (const name of await listOfficerDbs()) {
    const store = await Store.open(name);
    try {
      const vault = await store.meta.get<StoredVault>(META.vault);
      found.push({
        name,
        owner: (await store.meta.get<string>(META.owner)) ?? null,
        lastActiveAt: (await store.meta.get<number>(META.lastActiveAt)) ?? 0,
        keyed: vault !== undefined,
        credentialId: vault?.prf?.credential_id ?? null,
        counts: await store.counts(),
      });
    } finally {
      store.close();
    }
  }
  return found;
}

/** The database the app opens at start: its officer was the last here (`doorstep` on a tie). */
export function latestDatabase(dbs: OfficerDatabase[]): string {
  let best: OfficerDatabase | null = null;
  for (const d of dbs) if (best === null || d.lastActiveAt > best.lastActiveAt) best = d;
  return best?.name ?? DB_NAME;
}

/**
 * The database that holds this officer's data, if the phone has one: theirs by owner, or one from
 * before officers had a database each (no owner yet) that their passkey unlocks.
 */
export function databaseOf(dbs: OfficerDatabase[], officerId: string, credentialId: string | null): string | null {
  const owned = dbs.find((d) => d.owner === officerId);
  if (owned) return owned.name;
  const unclaimed = credentialId === null ? undefined : dbs.find((d) => d.owner === null && d.credentialId === credentialId);
  return unclaimed?.name ?? null;
}

function holdsNothing(d: OfficerDatabase): boolean {
  return !d.keyed && d.counts.waiting + d.counts.rejected + d.counts.photosWaiting === 0;
}

/** Where an officer new to this phone keeps their data: `doorstep` while nobody has it, else their own. */
export function databaseForNewOfficer(dbs: OfficerDatabase[], officerId: string): string {
  const first = dbs.find((d) => d.name === DB_NAME);
  if (!first || (first.owner === null && holdsNothing(first))) return DB_NAME;
  return officerDbName(officerId);
}

/** Other officers' work on this phone that has not reached the server (counts only). */
export function othersWaiting(dbs: OfficerDatabase[], current: string): OthersWaiting {
  const total: OthersWaiting = { officers: 0, waiting: 0, rejected: 0, photosWaiting: 0 };
  for (const d of dbs) {
    if (d.name === current) continue;
    const { waiting, rejected, photosWaiting } = d.counts;
    if (waiting + rejected + photosWaiting === 0) continue;
    total.officers += 1;
    total.waiting += waiting;
    total.rejected += rejected;
    total.photosWaiting += photosWaiting;
  }
  return total;
}

/** Other officers' databases that may hold their data (a key was set up, or work waits). */
export function othersHoldingData(dbs: OfficerDatabase[], current: string): OfficerDatabase[] {
  return dbs.filter((d) => d.name !== current && !holdsNothing(d));
}

/** This database is this officer's (if nobody's yet) and theirs is the last one used. */
export async function claim(store: Store, officerId: string, now: number = Date.now()): Promise<void> {
  if ((await store.meta.get<string>(META.owner)) === undefined) await store.meta.set(META.owner, officerId);
  await store.meta.set(META.lastActiveAt, now);
}
