/**
 * The device lock (docs/device-security.md): the data key leaves memory when the officer locks
 * the app or leaves it idle, and comes back with the passkey or the device PIN; confirmed
 * visits whose grace time is over are purged while it is unlocked.
 */

import { IdleLock, lockIdleMs, purgeGraceMs } from "../crypto/lock";
import type { Profile } from "../model/types";
import { claim, META } from "../storage";
import type { AppServices } from "./app-services";

const PURGE_EVERY_MS = 30_000;

export class DeviceLock {
  private idle: IdleLock | null = null;
  private purgeTimer: ReturnType<typeof setInterval> | null = null;
  /** The idle lock time the server last sent, for a start without the (sealed) profile. */
  private rememberedIdleMs: number | null = null;
  private unlocking: Promise<void> | null = null;

  constructor(private readonly app: AppServices) {}

  /** The data key is not in memory: only the lock screen shows. */
  get locked(): boolean {
    return this.app.keys.locked;
  }

  get idleLockMs(): number {
    return lockIdleMs(this.app.session.profile, this.rememberedIdleMs);
  }

  async loadIdleTime(): Promise<void> {
    this.rememberedIdleMs = (await this.app.store.meta.get<number>(META.lockIdleMs)) ?? null;
  }

  /** Keep the profile's idle lock time for the next start, when it changed. */
  async rememberIdleTime(profile: Profile | null): Promise<void> {
    if (!profile) return;
    const idle = lockIdleMs(profile);
    if (idle !== this.rememberedIdleMs) {
      this.rememberedIdleMs = idle;
      await this.app.store.meta.set(META.lockIdleMs, idle);
    }
  }

  /** Watch for idleness, purge now and then, and ask for the passkey again after a reload. */
  start(): void {
    const { app } = this;
    this.idle = new IdleLock({
      idleMs: () => this.idleLockMs,
      isUnlocked: () => app.keys.configured && !this.locked && !app.session.revoked,
      lock: () => void this.lock(),
    });
    this.idle.start();
    this.purgeTimer = setInterval(() => void this.purgeNow(), PURGE_EVERY_MS);
    if (this.locked && app.keys.method === "prf" && IdleLock.recentlyUnlocked()) {
      // A reload of a tab that was unlocked a moment ago: ask for the passkey at once.
      void this.unlockWithPasskey().catch(() => undefined);
    }
  }

  /** Stop watching and purging (the phone is being wiped). */
  stop(): void {
    this.idle?.stop();
    if (this.purgeTimer !== null) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
  }

  /** The officer is active again (signed in, unlocked): the idle time starts now. */
  resetIdle(): void {
    this.idle?.reset();
  }

  /** Drop the data key from memory (after saving what is being typed). */
  async lock(): Promise<boolean> {
    const { app } = this;
    if (!app.keys.configured || this.locked) return true;
    await app.flushAll();
    if (app.keys.method === "ephemeral") {
      // Online only: locking forgets everything, so never while something is still unsent.
      const c = await app.store.counts();
      if (c.waiting > 0 || c.photosWaiting > 0) return false;
    }
    app.keys.lock();
    app.syncClient.stop();
    IdleLock.forget();
    app.session.profile = null;
    if (app.keys.method === "ephemeral") await app.store.clearPersonalData();
    app.changed(false, false);
    return true;
  }

  /** Unlock with the passkey (PRF): works with no signal. One ceremony at a time. */
  unlockWithPasskey(): Promise<void> {
    if (!this.locked) return Promise.resolve();
    this.unlocking ??= (async () => {
      try {
        await this.app.keys.unlockWithPasskey();
        await this.unlocked();
      } finally {
        this.unlocking = null;
      }
    })();
    return this.unlocking;
  }

  async unlockWithPin(pin: string): Promise<void> {
    if (!this.locked) return;
    await this.app.keys.unlockWithPin(pin);
    await this.unlocked();
  }

  /** Unlocked with a PIN too short for today's policy: wrap the data key under a new passphrase. */
  async changePin(pin: string): Promise<void> {
    await this.app.keys.changePin(pin);
    this.app.changed(false, false);
  }

  private async unlocked(): Promise<void> {
    this.idle?.reset();
    await this.app.load();
    // Marks a database from before officers had one each as this officer's, and as the last used.
    if (this.app.session.profile) await claim(this.app.store, this.app.session.profile.officer.id);
    this.app.changed(false, false);
    void this.app.triggers.syncNow(true);
  }

  /** Confirmed visits whose grace time is over leave the phone (a stub stays). */
  async purgeNow(notify = true): Promise<string[]> {
    const { app } = this;
    if (!app.keys.configured || this.locked || app.session.revoked) return [];
    try {
      const purged = await app.store.purge.run(purgeGraceMs(app.session.profile));
      if (purged.length > 0 && notify) {
        app.changed(false);
        void app.checkStorage();
      }
      return purged;
    } catch {
      return []; // locked or wiped meanwhile
    }
  }
}
