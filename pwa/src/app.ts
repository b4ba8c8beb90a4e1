/**
 * The running app's services, shared by the UI: the store, the sync client and its triggers
 * (start, online, foreground, timer, "Sync now", Background Sync, other tabs), the cached
 * profile and catalogue, storage health, and change notifications for the views.
 *
 * Device security (docs/device-security.md): the data key is in memory only while unlocked
 * (`keys`, crypto/device.ts); the app locks itself when idle; confirmed visits are purged after
 * a grace time; a revoked device or "Sign out and wipe" deletes databases, caches and keys.
 */

import { Api, ApiError } from "./api";
import { discardKeyMaterial, takeKeyMaterial } from "./auth";
import { DeviceKey } from "./crypto/device";
import { pinKdfAvailable } from "./crypto/kdf";
import { IdleLock, lockIdleMs, purgeGraceMs, withoutPrf } from "./crypto/lock";
import type { Catalogue, CollectionName, Profile } from "./model/types";
import { addPhoto } from "./photos/capture";
import { PhotoUploader } from "./photos/upload";
import { SyncClient } from "./syncclient/client";
import type { EditInput } from "./outbox/edit";
import { AesGcmVault, deleteAllDatabases, DB_NAME, META, Store } from "./storage";

export type Listener = () => void;

export interface StorageHealth {
  persisted: boolean | null;
  usage: number | null;
  quota: number | null;
  low: boolean;
}

const LOW_FREE_BYTES = 200 * 1024 * 1024;
const SYNC_SOON_MS = 3_000;

export class AppServices {
  readonly api: Api;
  readonly sync: SyncClient;
  readonly photos: PhotoUploader;
  profile: Profile | null = null;
  catalogue: Catalogue | null = null;
  storage: StorageHealth = { persisted: null, usage: null, quota: null, low: false };
  revoked = false;
  /** Signed in on a phone without PRF: waiting for the officer to choose a device PIN. */
  pinSetup: Profile | null = null;
  readonly keys: DeviceKey;
  private idle: IdleLock | null = null;
  private purgeTimer: ReturnType<typeof setInterval> | null = null;
  private rememberedIdleMs: number | null = null;
  private unlocking: Promise<void> | null = null;
  /** Bumped on every local or pulled change; views re-read when it moves. */
  version = 0;
  private listeners = new Set<Listener>();
  private channel: BroadcastChannel | null = null;
  private soon: ReturnType<typeof setTimeout> | null = null;
  /** Editors register here so a pending keystroke is saved before anything else happens. */
  readonly flushers = new Set<() => Promise<void>>();

  constructor(
    readonly store: Store,
    fetchFn: typeof fetch = (input, init) => fetch(input, init),
    keys?: DeviceKey,
  ) {
    this.keys = keys ?? new DeviceKey(store.meta, new AesGcmVault());
    this.api = new Api(fetchFn);
    this.photos = new PhotoUploader(store, fetchFn, () => this.changed(false));
    this.sync = new SyncClient(store, {
      fetch: fetchFn,
      photos: this.photos,
      wipe: () => this.wipe(),
      onRevoked: () => {
        this.revoked = true;
        this.changed(false);
      },
    });
    this.sync.subscribe(() => {
      // A locked phone cannot sync (it cannot read its outbox): no timer runs while locked.
      if (this.locked) queueMicrotask(() => this.sync.stop());
      this.changed(false);
    });
  }

  static async start(): Promise<AppServices> {
    const vault = new AesGcmVault();
    const store = await Store.open(DB_NAME, vault);
    const keys = new DeviceKey(store.meta, vault);
    await keys.load();
    // "Online only": the last page's key is gone with it, and so is what it wrote.
    if (keys.method === "ephemeral") await store.clearPersonalData();
    const app = new AppServices(store, undefined, keys);
    await app.load();
    return app;
  }

  async load(): Promise<void> {
    await this.sync.init();
    this.rememberedIdleMs = (await this.store.meta.get<number>(META.lockIdleMs)) ?? null;
    this.profile = this.locked ? null : ((await this.store.meta.getSealed<Profile>(META.profile)) ?? null);
    this.catalogue = (await this.store.meta.get<Catalogue>(META.catalogue)) ?? null;
    if (this.profile) {
      const idle = lockIdleMs(this.profile);
      if (idle !== this.rememberedIdleMs) {
        this.rememberedIdleMs = idle;
        await this.store.meta.set(META.lockIdleMs, idle);
      }
    }
  }

  get enrolled(): boolean {
    return this.profile !== null || this.keys.configured;
  }

  /** The data key is not in memory: only the lock screen shows. */
  get locked(): boolean {
    return this.keys.locked;
  }

  get idleLockMs(): number {
    return lockIdleMs(this.profile, this.rememberedIdleMs);
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Something changed: re-render, tell other tabs, and (for local edits) sync soon. */
  changed(local = true, broadcast = true): void {
    this.version += 1;
    for (const fn of this.listeners) fn();
    if (broadcast) this.channel?.postMessage({ type: "changed" });
    if (local) this.syncSoon();
  }

  /** Wire the triggers: start, online, foreground, other tabs, the service worker's nudge. */
  startTriggers(): void {
    if (typeof BroadcastChannel !== "undefined") {
      this.channel = new BroadcastChannel("doorstep");
      this.channel.onmessage = async (event: MessageEvent) => {
        if ((event.data as { type?: string } | null)?.type === "wiped") {
          this.keys.lock();
          this.revoked = true;
          this.changed(false, false);
          return;
        }
        await this.load();
        this.changed(false, false);
      };
    }
    this.idle = new IdleLock({
      idleMs: () => this.idleLockMs,
      isUnlocked: () => this.keys.configured && !this.locked && !this.revoked,
      lock: () => void this.lock(),
    });
    this.idle.start();
    this.purgeTimer = setInterval(() => void this.purgeNow(), 30_000);
    if (this.locked && this.keys.method === "prf" && IdleLock.recentlyUnlocked()) {
      // A reload of a tab that was unlocked a moment ago: ask for the passkey at once.
      void this.unlockWithPasskey().catch(() => undefined);
    }
    window.addEventListener("online", () => void this.syncNow(false));
    window.addEventListener("offline", () => this.changed(false));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void this.syncNow(false);
      else void this.flushAll();
    });
    window.addEventListener("pagehide", () => void this.flushAll());
    navigator.serviceWorker?.addEventListener("message", (event) => {
      if ((event.data as { type?: string } | null)?.type === "SYNC_NOW") void this.syncNow(false);
    });
    void this.checkStorage();
    void this.syncNow(false);
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.flushers].map((f) => f().catch(() => undefined)));
  }

  /** Queue an edit (atomically with the local view) and schedule a sync. */
  async edit(input: EditInput): Promise<void> {
    await this.store.outbox.enqueue(input);
    this.changed(true);
  }

  async addPhoto(file: File, visitId: string, category: string, caption: string | null): Promise<string> {
    const id = await addPhoto(this.store, file, visitId, category, caption);
    this.changed(true);
    return id;
  }

  private syncSoon(): void {
    if (this.soon) clearTimeout(this.soon);
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.syncNow(false);
    }, SYNC_SOON_MS);
    void this.registerBackgroundSync();
  }

  async syncNow(manual = true): Promise<void> {
    if (!this.enrolled || this.revoked || this.locked || this.pinSetup) return;
    try {
      await this.flushAll();
      await this.sync.sync(manual);
      if (this.revoked || this.locked) return;
      await this.load();
      await this.purgeNow(false);
      if (await this.sync.repullIfAsked()) await this.load();
      this.changed(false);
      void this.checkStorage();
    } catch {
      // The store was closed under us (wiped): the revoked screen is showing.
    }
  }

  /** Ask the browser to wake the service worker when signal returns (where supported). */
  private async registerBackgroundSync(): Promise<void> {
    try {
      const reg = (await navigator.serviceWorker?.ready) as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
      await reg?.sync?.register("doorstep-sync");
    } catch {
      // Not supported, or not allowed: the other triggers still drain the outbox.
    }
  }

  async checkStorage(): Promise<void> {
    const s = typeof navigator !== "undefined" ? navigator.storage : undefined;
    if (!s?.estimate) return;
    try {
      const [persisted, estimate] = await Promise.all([s.persisted ? s.persisted() : Promise.resolve(null), s.estimate()]);
      const usage = estimate.usage ?? null;
      const quota = estimate.quota ?? null;
      const low = usage !== null && quota !== null && (quota - usage < LOW_FREE_BYTES || usage / quota > 0.9);
      const changed = low !== this.storage.low || persisted !== this.storage.persisted;
      this.storage = { persisted, usage, quota, low };
      if (changed) this.changed(false, false);
    } catch {
      // estimate() can fail in private modes: nothing to show.
    }
  }

  // ---- device security -------------------------------------------------------------------

  /** Drop the data key from memory (after saving what is being typed). */
  async lock(): Promise<boolean> {
    if (!this.keys.configured || this.locked) return true;
    await this.flushAll();
    if (this.keys.method === "ephemeral") {
      // Online only: locking forgets everything, so never while something is still unsent.
      const c = await this.store.counts();
      if (c.waiting > 0 || c.photosWaiting > 0) return false;
    }
    this.keys.lock();
    this.sync.stop();
    IdleLock.forget();
    this.profile = null;
    if (this.keys.method === "ephemeral") await this.store.clearPersonalData();
    this.changed(false, false);
    return true;
  }

  private async unlocked(): Promise<void> {
    this.idle?.reset();
    await this.load();
    this.changed(false, false);
    void this.syncNow(true);
  }

  /** Unlock with the passkey (PRF): works with no signal. One ceremony at a time. */
  unlockWithPasskey(): Promise<void> {
    if (!this.locked) return Promise.resolve();
    this.unlocking ??= (async () => {
      try {
        await this.keys.unlockWithPasskey();
        await this.unlocked();
      } finally {
        this.unlocking = null;
      }
    })();
    return this.unlocking;
  }

  async unlockWithPin(pin: string): Promise<void> {
    if (!this.locked) return;
    await this.keys.unlockWithPin(pin);
    await this.unlocked();
  }

  /** Can this phone use a device PIN (Argon2id in WebAssembly, allowed by the CSP)? */
  pinAvailable(): Promise<boolean> {
    return pinKdfAvailable();
  }

  /** The officer chose a device PIN (phone without PRF): set the key up and carry on. */
  async setPin(pin: string): Promise<void> {
    const me = this.pinSetup;
    if (!me) return;
    await this.keys.setupPin(pin);
    this.pinSetup = null;
    await this.finishSignedIn(me);
  }

  /** No PIN possible or wanted: this phone keeps nothing personal beyond the open page. */
  async useOnlineOnly(): Promise<void> {
    const me = this.pinSetup;
    if (!me) return;
    await this.keys.setupEphemeral();
    this.pinSetup = null;
    await this.finishSignedIn(me);
  }

  /** Confirmed visits whose grace time is over leave the phone (a stub stays). */
  async purgeNow(notify = true): Promise<string[]> {
    if (!this.keys.configured || this.locked || this.revoked) return [];
    try {
      const purged = await this.store.purge.run(purgeGraceMs(this.profile));
      if (purged.length > 0 && notify) {
        this.changed(false);
        void this.checkStorage();
      }
      return purged;
    } catch {
      return []; // locked or wiped meanwhile
    }
  }

  /** After a sign-in or enrolment: keep the profile and catalogue for offline use. */
  async signedIn(): Promise<void> {
    const me = await this.api.get<Profile>("/api/me");
    const material = takeKeyMaterial();
    if (this.keys.method === "ephemeral" && this.locked) {
      // Online only: a sign-in is the unlock; start from nothing with a new key.
      await this.store.clearPersonalData();
      await this.keys.setupEphemeral();
    } else if (this.keys.locked) {
      if (!(await this.keys.unlockWithMaterial(material))) await this.keys.unlockWithPasskey();
    } else if (!this.keys.configured) {
      if (material?.prfOutput) {
        await this.keys.setupPrf(material);
      } else if (withoutPrf(me) === "pin") {
        // PinSetup says so when this browser cannot run the PIN KDF, and offers online only.
        this.pinSetup = me;
        this.changed(false);
        return;
      } else {
        await this.keys.setupEphemeral();
      }
    }
    discardKeyMaterial();
    await this.finishSignedIn(me);
  }

  private async finishSignedIn(me: Profile): Promise<void> {
    const previous = this.profile;
    if (previous && previous.officer.id !== me.officer.id) {
      const counts = await this.store.counts();
      if (counts.waiting > 0 || counts.photosWaiting > 0) {
        await this.api.post("/api/auth/logout", {}).catch(() => undefined);
        throw new Error(
          `This phone still holds unsent work of ${previous.officer.display_name}. They must sign in and sync it first.`,
        );
      }
      await this.wipe();
      throw new Error("Another officer's data was removed from this phone. Sign in again.");
    }
    await this.store.meta.setSealed(META.profile, me);
    try {
      await this.store.meta.set(META.catalogue, await this.api.get<Catalogue>("/api/advice"));
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 401) throw exc;
    }
    try {
      if (navigator.storage?.persist) await this.store.meta.set(META.persisted, await navigator.storage.persist());
    } catch {
      // best effort
    }
    await this.sync.signedIn();
    await this.load();
    this.idle?.reset();
    this.changed(false);
    void this.syncNow(false);
  }

  /**
   * Wipe this device: the data key (crypto-shredded first, so even a database the browser
   * cannot delete at once is unreadable), every IndexedDB database, every cache, the service
   * worker and local settings.
   */
  async wipe(): Promise<void> {
    this.sync.stop();
    this.idle?.stop();
    if (this.purgeTimer !== null) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    this.pinSetup = null;
    discardKeyMaterial();
    try {
      await this.keys.destroy();
    } catch {
      this.keys.lock(); // the store is already closed: deleting the database below suffices
    }
    this.store.close();
    await deleteAllDatabases(DB_NAME, this.store.name);
    if (typeof caches !== "undefined") {
      for (const key of await caches.keys()) await caches.delete(key);
    }
    try {
      for (const reg of (await navigator.serviceWorker?.getRegistrations()) ?? []) await reg.unregister();
    } catch {
      // not available
    }
    try {
      localStorage.clear();
      sessionStorage.clear();
    } catch {
      // not available
    }
    this.profile = null;
    this.catalogue = null;
    this.channel?.postMessage({ type: "wiped" });
  }

  /** "Sign out and wipe": end the session on the server (best effort) and wipe the phone. */
  async signOutAndWipe(): Promise<void> {
    await this.flushAll();
    await Promise.race([
      this.api.post("/api/auth/logout", {}).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
    await this.wipe();
    this.revoked = true;
    this.changed(false, false);
  }

  /** Sign out (only with nothing waiting to go: the server's Clear-Site-Data wipes the phone). */
  async signOut(): Promise<void> {
    await this.api.post("/api/auth/logout", {}).catch(() => undefined);
    await this.wipe();
    this.revoked = true;
    this.changed(false, true);
  }

  recordsChanged(_collection?: CollectionName): void {
    this.changed(false);
  }
}
