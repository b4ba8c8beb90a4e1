/**
 * When the app locks itself, and the device-security settings.
 *
 * Settings come from GET /api/me (`settings.device_*`, see docs/device-security.md) with safe
 * defaults when the server does not send them. A value in localStorage can SHORTEN the idle
 * lock or the purge grace time (never lengthen them): the browser tests use it, and in
 * production it can only make the phone keep less for less long.
 */

import type { Profile } from "../model/types";
import { DEFAULT_PURGE_GRACE_MS } from "../purge/rules";

export { DEFAULT_PURGE_GRACE_MS };
export const DEFAULT_LOCK_IDLE_MS = 5 * 60_000;
export type WithoutPrf = "pin" | "online_only";
export const DEFAULT_WITHOUT_PRF: WithoutPrf = "pin";

/** localStorage keys that may only shorten the server's values (seconds). */
export const SHORTER_LOCK_KEY = "doorstep-lock-idle-seconds";
export const SHORTER_PURGE_KEY = "doorstep-purge-grace-seconds";
/** sessionStorage (this tab only): until when a reload may ask for the passkey by itself. */
export const UNLOCKED_UNTIL_KEY = "doorstep-unlocked-until";

function num(profile: Profile | null, key: string): number | null {
  const v = profile?.settings[key];
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}

function shorter(ms: number, key: string): number {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    const s = raw === null || raw === undefined ? NaN : Number(raw);
    if (Number.isFinite(s) && s >= 0) return Math.min(ms, s * 1000);
  } catch {
    // no localStorage
  }
  return ms;
}

export function lockIdleMs(profile: Profile | null, remembered: number | null = null): number {
  const seconds = num(profile, "device_lock_idle_seconds");
  return shorter(seconds !== null ? seconds * 1000 : (remembered ?? DEFAULT_LOCK_IDLE_MS), SHORTER_LOCK_KEY);
}

export function purgeGraceMs(profile: Profile | null): number {
  const seconds = num(profile, "device_purge_grace_seconds");
  return shorter(seconds !== null ? seconds * 1000 : DEFAULT_PURGE_GRACE_MS, SHORTER_PURGE_KEY);
}

export function withoutPrf(profile: Profile | null): WithoutPrf {
  const v = profile?.settings["device_without_prf"];
  return v === "online_only" || v === "pin" ? v : DEFAULT_WITHOUT_PRF;
}

const ACTIVITY_EVENTS = ["pointerdown", "keydown", "touchstart", "input", "wheel"] as const;

/**
 * Locks after `idleMs` without a touch, a key or a scroll. Time hidden (another app in front,
 * screen off, the page in the back/forward cache) counts as idle, and is checked the moment
 * the page is shown again, since timers do not run reliably in the background.
 */
export class IdleLock {
  private last: number;
  private interval: ReturnType<typeof setInterval> | null = null;
  private lastMark = 0;
  private readonly onActivity = () => this.touch();
  private readonly onVisibility = () => {
    if (document.visibilityState === "visible") this.check();
  };
  private readonly onPageShow = () => this.check();

  constructor(
    private readonly opts: {
      idleMs: () => number;
      isUnlocked: () => boolean;
      lock: (reason: "idle") => void;
      now?: () => number;
    },
  ) {
    this.last = this.now();
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  start(): void {
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, this.onActivity, { passive: true, capture: true });
    document.addEventListener("visibilitychange", this.onVisibility);
    window.addEventListener("pageshow", this.onPageShow);
    this.interval = setInterval(() => this.check(), 1000);
  }

  stop(): void {
    for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, this.onActivity, { capture: true });
    document.removeEventListener("visibilitychange", this.onVisibility);
    window.removeEventListener("pageshow", this.onPageShow);
    if (this.interval !== null) clearInterval(this.interval);
    this.interval = null;
  }

  /** The officer did something (or just unlocked). */
  touch(): void {
    // Activity while the page is hidden (none, normally) does not count.
    if (typeof document !== "undefined" && document.visibilityState === "hidden") return;
    if (!this.check()) return;
    this.last = this.now();
    if (this.last - this.lastMark > 5_000) this.mark();
  }

  /** Remember in this tab until when a reload may ask for the passkey by itself. */
  mark(): void {
    this.lastMark = this.now();
    try {
      if (this.opts.isUnlocked()) sessionStorage.setItem(UNLOCKED_UNTIL_KEY, String(this.last + this.opts.idleMs()));
    } catch {
      // no sessionStorage
    }
  }

  reset(): void {
    this.last = this.now();
    this.mark();
  }

  /** Lock if idle for too long; returns whether the app is (still) unlocked. */
  check(): boolean {
    if (!this.opts.isUnlocked()) return false;
    if (this.now() - this.last >= this.opts.idleMs()) {
      this.opts.lock("idle");
      return false;
    }
    return true;
  }

  static forget(): void {
    try {
      sessionStorage.removeItem(UNLOCKED_UNTIL_KEY);
    } catch {
      // no sessionStorage
    }
  }

  /** Was this tab unlocked and active until recently (a reload, not a new start)? */
  static recentlyUnlocked(now: number = Date.now()): boolean {
    try {
      const until = Number(sessionStorage.getItem(UNLOCKED_UNTIL_KEY));
      return Number.isFinite(until) && until > now;
    } catch {
      return false;
    }
  }
}
