/** What the sync client tells the app about how syncing goes (shown in the sync bar). */

export type Outcome =
  | "ok" // pushed and pulled everything
  | "busy" // another tab (or the service worker) is syncing
  | "locked" // no data key in memory (the service worker, a locked app): nothing can be sent or kept
  | "offline" // no answer: will retry with backoff
  | "retry" // the server asked us to wait (429/503/5xx)
  | "signin" // session expired: nothing lost, waiting for the officer to sign in
  | "revoked" // this device was revoked and has wiped itself
  | "broken" // the seq sequence is broken (seq_reused or an unrecoverable gap)
  | "error"; // another refusal (reported, retried later)

export interface SyncStatus {
  running: boolean;
  online: boolean;
  signinNeeded: boolean;
  seqBroken: boolean;
  lastSyncAt: string | null;
  lastOutcome: Outcome | null;
  lastError: string | null;
  nextAttemptAt: number | null;
}

export interface SyncResult {
  outcome: Outcome;
  /** When to try again (ms from now), for outcomes that retry. */
  delayMs: number | null;
}

export const INITIAL_STATUS: SyncStatus = {
  running: false,
  online: true,
  signinNeeded: false,
  seqBroken: false,
  lastSyncAt: null,
  lastOutcome: null,
  lastError: null,
  nextAttemptAt: null,
};
