/**
 * The running app's services, shared by the UI: the store, the sync client and its triggers
 * (start, online, foreground, timer, "Sync now", Background Sync, other tabs), the cached
 * profile and catalogue, storage health, and change notifications for the views.
 */

import { Api, ApiError } from "./api";
import type { Catalogue, CollectionName, Profile } from "./model/types";
import { PhotoUploader, SyncClient, addPhoto } from "./outbox";
import { deleteDatabase, DB_NAME, Store, type EditInput } from "./storage";

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
  ) {
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
    this.sync.subscribe(() => this.changed(false));
  }

  static async start(): Promise<AppServices> {
    const store = await Store.open();
    const app = new AppServices(store);
    await app.load();
    return app;
  }

  async load(): Promise<void> {
    await this.sync.init();
    this.profile = (await this.store.getSealedMeta<Profile>("profile")) ?? null;
    this.catalogue = (await this.store.getMeta<Catalogue>("catalogue")) ?? null;
  }

  get enrolled(): boolean {
    return this.profile !== null;
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
      this.channel.onmessage = async () => {
        await this.load();
        this.changed(false, false);
      };
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
    await this.store.edit(input);
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
    if (!this.enrolled || this.revoked) return;
    try {
      await this.flushAll();
      await this.sync.sync(manual);
      if (this.revoked) return;
      await this.load();
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

  /** After a sign-in or enrolment: keep the profile and catalogue for offline use. */
  async signedIn(): Promise<void> {
    const me = await this.api.get<Profile>("/api/me");
    const previous = this.profile;
    if (previous && previous.officer.id !== me.officer.id) {
      const counts = await this.store.counts();
      if (counts.waiting > 0 || counts.photosWaiting > 0) {
        await this.api.post("/api/auth/logout", {}).catch(() => undefined);
        throw new Error(
          `This phone still holds unsent work of ${previous.officer.display_name}. They must sign in and sync it first.`,
        );
      }
      await this.store.wipe();
      throw new Error("Another officer's data was removed from this phone. Sign in again.");
    }
    await this.store.setSealedMeta("profile", me);
    try {
      await this.store.setMeta("catalogue", await this.api.get<Catalogue>("/api/advice"));
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 401) throw exc;
    }
    try {
      if (navigator.storage?.persist) await this.store.setMeta("persisted", await navigator.storage.persist());
    } catch {
      // best effort
    }
    await this.sync.signedIn();
    await this.load();
    this.changed(false);
    void this.syncNow(false);
  }

  /** Wipe this device: every database, cache and setting of the app. */
  async wipe(): Promise<void> {
    this.store.close();
    await deleteDatabase(DB_NAME);
    if (typeof caches !== "undefined") {
      for (const key of await caches.keys()) await caches.delete(key);
    }
    try {
      localStorage.clear();
      sessionStorage.clear();
    } catch {
      // not available
    }
    this.profile = null;
    this.catalogue = null;
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
