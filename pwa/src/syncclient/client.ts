/**
 * The sync client (PROTOCOL.md section 11): drains the outbox in seq order, then follows the
 * change feed, then sends photo bytes. One run at a time per device (Web Locks across tabs and
 * the service worker). Failures back off exponentially with jitter; Retry-After is honoured.
 *
 * What never happens here: a queued mutation is never edited or dropped, a rejected one is
 * kept, and an expired session wipes nothing (the outbox waits for the officer to sign in).
 */

import { Api, ApiError, NetworkError, type FetchLike } from "../api";
import type { Catalogue, Profile, PushResult } from "../model/types";
import { META } from "../db/meta";
import type { PullPage } from "../feed/page";
import { wireOf } from "../outbox/wire";
import type { Store } from "../storage";
import { INITIAL_STATUS, type Outcome, type SyncResult, type SyncStatus } from "./status";

export const SYNC_LOCK = "doorstep-sync";
export const MAX_BATCH = 200;
export const MAX_BATCH_BYTES = 900_000;
export const PULL_LIMIT = 500;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 5 * 60_000;
/** When all is well, look for news this often while the app is open. */
export const IDLE_INTERVAL_MS = 2 * 60_000;

export interface PhotoSender {
  /** Send whatever photo bytes are waiting; returns how many uploads finished. Throws
   *  ApiError/NetworkError like the API. */
  run(): Promise<number>;
}

interface PushAnswer {
  last_seq: number;
  results: PushResult[];
}

export interface SyncClientOptions {
  fetch: FetchLike;
  /** Called after the device has wiped itself (401 device_revoked). */
  onRevoked?: () => void;
  /** Wipes everything on the device (defaults to the store's own wipe). */
  wipe?: () => Promise<void>;
  photos?: PhotoSender | null;
  random?: () => number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Use navigator.locks when present (default true). */
  useWebLocks?: boolean;
}

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<T>): Promise<T>;
}

export class SyncClient {
  readonly api: Api;
  private failures = 0;
  private timer: unknown = null;
  private inFlight: Promise<SyncResult> | null = null;
  private closed = false;
  private listeners = new Set<(s: SyncStatus) => void>();
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  status: SyncStatus = { ...INITIAL_STATUS };

  constructor(
    readonly store: Store,
    private readonly options: SyncClientOptions,
  ) {
    this.api = new Api(options.fetch);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Load persisted status (last sync time, sign-in needed, broken sequence). */
  async init(): Promise<void> {
    this.update({
      lastSyncAt: (await this.store.meta.get<string>(META.lastSyncAt)) ?? null,
      signinNeeded: (await this.store.meta.get<boolean>(META.signinNeeded)) ?? false,
      seqBroken: (await this.store.meta.get<boolean>(META.seqBroken)) ?? false,
    });
  }

  subscribe(fn: (s: SyncStatus) => void): () => void {
    this.listeners.add(fn);
    fn(this.status);
    return () => this.listeners.delete(fn);
  }

  private update(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const fn of this.listeners) fn(this.status);
  }

  /** Exponential backoff with jitter: never sooner than Retry-After when the server sent one. */
  backoffDelay(retryAfterMs: number | null): number {
    const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, this.failures - 1));
    const jittered = exp * (0.5 + this.random() * 0.5);
    if (retryAfterMs === null) return Math.round(jittered);
    // Spread phones that were all told the same Retry-After over up to half as long again.
    return Math.round(Math.max(retryAfterMs * (1 + this.random() * 0.5), jittered));
  }

  /** Run one sync now (or join the run in progress) and schedule the next one. */
  sync(manual = false): Promise<SyncResult> {
    if (this.closed) return Promise.resolve({ outcome: "locked", delayMs: null });
    if (this.inFlight) return this.inFlight;
    if (manual) this.failures = 0;
    const run = this.withLock().finally(() => {
      this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private async withLock(): Promise<SyncResult> {
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    const result =
      this.options.useWebLocks !== false && locks
        ? await locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) =>
            lock ? this.syncOnce() : ({ outcome: "busy", delayMs: 15_000 } as SyncResult),
          )
        : await this.syncOnce();
    this.schedule(result);
    return result;
  }

  private schedule(result: SyncResult): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    if (this.closed) return;
    if (result.outcome === "revoked" || result.outcome === "signin" || result.outcome === "broken" || result.outcome === "locked") {
      this.update({ nextAttemptAt: null });
      return;
    }
    const delay = result.delayMs ?? IDLE_INTERVAL_MS;
    this.update({ nextAttemptAt: this.now() + delay });
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.sync();
    }, delay);
  }

  /** Stop the timer (tests, sign-out). */
  stop(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  /** Its store is being closed (another officer's data opens, a wipe): no run starts again. */
  close(): void {
    this.closed = true;
    this.stop();
  }

  /**
   * One full cycle: profile check, push everything, pull everything, send photo bytes. Every
   * step needs the data key (the profile and pulled records are sealed, queued changes and
   * photos are opened to be sent): without it nothing is asked for and nothing is written.
   */
  async syncOnce(): Promise<SyncResult> {
    if (this.store.locked) return { outcome: "locked", delayMs: null };
    if (await this.store.meta.get<boolean>(META.seqBroken)) {
      this.update({ seqBroken: true, lastOutcome: "broken" });
      return { outcome: "broken", delayMs: null };
    }
    this.update({ running: true });
    try {
      await this.refreshProfile();
      const pushed = await this.pushAll();
      if (pushed !== "ok") return this.finish(pushed, null);
      await this.pullAll();
      // The server verifies a photo when its last chunk arrives; pull again so the phone
      // learns "verified" now (and can let its copy go) rather than at the next sync.
      if (this.options.photos && (await this.options.photos.run()) > 0) await this.pullAll();
      const at = new Date(this.now()).toISOString();
      await this.store.meta.set(META.lastSyncAt, at);
      this.failures = 0;
      this.update({ lastSyncAt: at, online: true });
      return this.finish("ok", null);
    } catch (exc) {
      return this.failed(exc);
    } finally {
      this.update({ running: false });
    }
  }

  private finish(outcome: Outcome, error: string | null, delayMs: number | null = null): SyncResult {
    this.update({ lastOutcome: outcome, lastError: error });
    return { outcome, delayMs };
  }

  private async failed(exc: unknown): Promise<SyncResult> {
    if (exc instanceof ApiError && exc.status === 401) {
      if (exc.code === "device_revoked") {
        await (this.options.wipe ? this.options.wipe() : this.store.wipe());
        this.update({ signinNeeded: false });
        this.options.onRevoked?.();
        return this.finish("revoked", exc.message);
      }
      // session_expired (or no session): keep everything, ask the officer to sign in.
      await this.store.meta.set(META.signinNeeded, true);
      this.update({ signinNeeded: true, online: true });
      return this.finish("signin", exc.message);
    }
    this.failures += 1;
    if (exc instanceof NetworkError) {
      this.update({ online: false });
      return this.finish("offline", exc.message, this.backoffDelay(null));
    }
    if (exc instanceof ApiError) {
      this.update({ online: true });
      const outcome: Outcome = exc.retryable ? "retry" : "error";
      return this.finish(outcome, `${exc.code}: ${exc.message}`, this.backoffDelay(exc.retryAfterMs));
    }
    return this.finish("error", exc instanceof Error ? exc.message : String(exc), this.backoffDelay(null));
  }

  /** The officer signed in again: carry on where we stopped. */
  async signedIn(): Promise<void> {
    await this.store.meta.set(META.signinNeeded, false);
    this.update({ signinNeeded: false });
  }

  /**
   * GET /api/me (also the session probe) and the advice catalogue, kept for offline use. The
   * session must be the officer's whose data this is: another officer signed in on this phone
   * never sends (nor overwrites) it; it waits, as for an expired session, for its own officer.
   */
  private async refreshProfile(): Promise<void> {
    const me = await this.api.get<Profile>("/api/me");
    const owner = await this.store.meta.get<string>(META.owner);
    if (owner !== undefined && owner !== me.officer.id) {
      throw new ApiError(401, "other_officer", "Another officer is signed in on this phone: this work waits for its own officer.");
    }
    await this.store.meta.setSealed(META.profile, me);
    if (this.status.signinNeeded) await this.signedIn();
    try {
      const catalogue = await this.api.get<Catalogue>("/api/advice");
      await this.store.meta.set(META.catalogue, catalogue);
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 401) throw exc;
      // The cached catalogue stays in force.
    }
  }

  /** Push every queued mutation, in seq order, in batches. */
  async pushAll(): Promise<Outcome> {
    let maxCount = MAX_BATCH;
    let maxBytes = MAX_BATCH_BYTES;
    for (;;) {
      const batch = await this.store.outbox.takeBatch(maxCount, maxBytes);
      if (batch.length === 0) return "ok";
      const clientId = await this.store.meta.clientId();
      let answer: PushAnswer;
      try {
        answer = await this.api.post<PushAnswer>(
          "/api/sync/push",
          { client_id: clientId, mutations: batch.map(wireOf) },
          true,
        );
      } catch (exc) {
        if (!(exc instanceof ApiError)) throw exc;
        if (exc.code === "seq_gap" && typeof exc.details["expected"] === "number") {
          if (await this.store.outbox.resendFrom(exc.details["expected"])) continue;
          return this.broken(exc);
        }
        if (exc.code === "seq_reused") return this.broken(exc);
        if (exc.status === 413 && maxCount > 1) {
          maxCount = Math.max(1, Math.floor(batch.length / 2));
          maxBytes = Math.max(10_000, Math.floor(maxBytes / 2));
          continue;
        }
        throw exc;
      }
      const before = batch.length;
      await this.store.outbox.recordPush(answer.last_seq, answer.results ?? []);
      const acknowledged = batch.filter((e) => e.seq <= answer.last_seq).length;
      if (acknowledged === 0 && before > 0) {
        throw new ApiError(502, "no_progress", "The server acknowledged nothing; will try again.");
      }
    }
  }

  private async broken(exc: ApiError): Promise<Outcome> {
    await this.store.meta.set(META.seqBroken, true);
    this.update({ seqBroken: true });
    this.update({ lastError: `${exc.code}: ${exc.message}` });
    return "broken";
  }

  /** Start again under a new client_id with unacknowledged mutations renumbered (11.8). */
  async recoverSequence(): Promise<void> {
    await this.store.outbox.renumber();
    this.update({ seqBroken: false });
  }

  /**
   * A purged visit was reopened on the server (Feed.apply set META.repull): pull everything
   * again from the start, in a full run, so it comes back whole with its child records.
   * Returns whether it did.
   */
  async repullIfAsked(): Promise<boolean> {
    if (!(await this.store.meta.get<boolean>(META.repull))) return false;
    await this.store.meta.set(META.cursor, null);
    await this.store.meta.set(META.repull, false);
    await this.sync(false);
    return true;
  }

  /** Follow the change feed until has_more is false. */
  async pullAll(): Promise<void> {
    let cursor = (await this.store.meta.get<string | null>(META.cursor)) ?? null;
    let restarted = false;
    for (;;) {
      let page: PullPage;
      try {
        page = await this.api.post<PullPage>(
          "/api/sync/pull",
          { client_id: await this.store.meta.clientId(), cursor, limit: PULL_LIMIT },
          false,
        );
      } catch (exc) {
        if (exc instanceof ApiError && exc.code === "bad_cursor" && !restarted) {
          restarted = true;
          cursor = null;
          await this.store.meta.set(META.cursor, null);
          continue;
        }
        throw exc;
      }
      await this.store.feed.apply(page);
      cursor = page.cursor;
      if (!page.has_more) return;
    }
  }
}
