/**
 * The running app's services, shared by the UI: the store, the API, the sync client and the
 * photo uploader, and the three services built on them: the session (session.ts), the device
 * lock (device-lock.ts) and the sync triggers (sync-triggers.ts). Here: starting up, change
 * notifications for the views, editing, and storage health.
 *
 * Device security (docs/device-security.md): the data key is in memory only while unlocked
 * (`keys`, crypto/device.ts); the app locks itself when idle; confirmed visits are purged after
 * a grace time; a revoked device or "Sign out and wipe" deletes databases, caches and keys.
 */

import { Api } from "../api";
import { DeviceKey } from "../crypto/device";
import type { EditInput } from "../outbox/edit";
import { addPhoto } from "../photos/capture";
import { PhotoUploader } from "../photos/upload";
import { AesGcmVault, DB_NAME, Store } from "../storage";
import { SyncClient } from "../syncclient/client";
import { DeviceLock } from "./device-lock";
import { Session } from "./session";
import { measureStorage, UNKNOWN_STORAGE, type StorageHealth } from "./storage-health";
import { SyncTriggers } from "./sync-triggers";

export type Listener = () => void;

export class AppServices {
  readonly api: Api;
  readonly syncClient: SyncClient;
  readonly photoUploader: PhotoUploader;
  readonly keys: DeviceKey;
  readonly session: Session;
  readonly deviceLock: DeviceLock;
  readonly triggers: SyncTriggers;
  storageHealth: StorageHealth = UNKNOWN_STORAGE;
  /** Bumped on every local or pulled change; views re-read when it moves. */
  version = 0;
  private listeners = new Set<Listener>();
  /** Editors register here so a pending keystroke is saved before anything else happens. */
  readonly flushers = new Set<() => Promise<void>>();

  constructor(
    readonly store: Store,
    fetchFn: typeof fetch = (input, init) => fetch(input, init),
    keys?: DeviceKey,
  ) {
    this.keys = keys ?? new DeviceKey(store.meta, new AesGcmVault());
    this.api = new Api(fetchFn);
    this.photoUploader = new PhotoUploader(store, fetchFn, () => this.changed(false));
    this.syncClient = new SyncClient(store, {
      fetch: fetchFn,
      photos: this.photoUploader,
      wipe: () => this.session.wipe(),
      onRevoked: () => {
        this.session.revoked = true;
        this.changed(false);
      },
    });
    this.session = new Session(this);
    this.deviceLock = new DeviceLock(this);
    this.triggers = new SyncTriggers(this);
    this.syncClient.subscribe(() => {
      // A locked phone cannot sync (it cannot read its outbox): no timer runs while locked.
      if (this.deviceLock.locked) queueMicrotask(() => this.syncClient.stop());
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

  /** Read again what is kept: sync status, the idle lock time, the profile and catalogue. */
  async load(): Promise<void> {
    await this.syncClient.init();
    await this.deviceLock.loadIdleTime();
    await this.session.load();
    await this.deviceLock.rememberIdleTime(this.session.profile);
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Something changed: re-render, tell other tabs, and (for local edits) sync soon. */
  changed(local = true, broadcast = true): void {
    this.version += 1;
    for (const fn of this.listeners) fn();
    if (broadcast) this.triggers.broadcast({ type: "changed" });
    if (local) this.triggers.syncSoon();
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

  async checkStorage(): Promise<void> {
    const health = await measureStorage();
    if (!health) return;
    const changed = health.low !== this.storageHealth.low || health.persisted !== this.storageHealth.persisted;
    this.storageHealth = health;
    if (changed) this.changed(false, false);
  }
}
