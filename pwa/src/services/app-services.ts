/**
 * The running app's services, shared by the UI: the store, the API, the sync client and the
 * photo uploader, and the three services built on them: the session (session.ts), the device
 * lock (device-lock.ts) and the sync triggers (sync-triggers.ts). Here: starting up, change
 * notifications for the views, editing, and storage health.
 *
 * Device security (docs/device-security.md): the data key is in memory only while unlocked
 * (`keys`, crypto/device.ts); the app locks itself when idle; confirmed visits are purged after
 * a grace time; a revoked device or "Sign out and wipe" deletes databases, caches and keys.
 *
 * A shared phone holds one database per officer (storage/officers.ts). The store, its key, the
 * sync client and the photo uploader are that officer's: `openOfficerDatabase` swaps them when
 * another officer signs in, leaving the other database locked, closed and untouched.
 */

import { Api } from "../api";
import { DeviceKey } from "../crypto/device";
import type { EditInput } from "../outbox/edit";
import { addPhoto } from "../photos/capture";
import { PhotoUploader } from "../photos/upload";
import { AesGcmVault, latestDatabase, officerDatabases, othersWaiting, Store, type OthersWaiting } from "../storage";
import { SyncClient } from "../syncclient/client";
import { DeviceLock } from "./device-lock";
import { Session } from "./session";
import { measureStorage, UNKNOWN_STORAGE, type StorageHealth } from "./storage-health";
import { SyncTriggers } from "./sync-triggers";

export type Listener = () => void;

const NOTHING_WAITING: OthersWaiting = { officers: 0, waiting: 0, rejected: 0, photosWaiting: 0 };

export class AppServices {
  readonly api: Api;
  // The signed-in (or locked) officer's: replaced together when another officer's data opens.
  store!: Store;
  keys!: DeviceKey;
  syncClient!: SyncClient;
  photoUploader!: PhotoUploader;
  /** Other officers' work on this phone not yet on the server (counts only; theirs to sync). */
  othersWaiting: OthersWaiting = NOTHING_WAITING;
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
    store: Store,
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
    keys?: DeviceKey,
  ) {
    this.api = new Api(fetchFn);
    this.session = new Session(this);
    this.deviceLock = new DeviceLock(this);
    this.triggers = new SyncTriggers(this);
    this.attach(store, keys ?? new DeviceKey(store.meta, new AesGcmVault()));
  }

  /** Work on this officer's database, with its key and its own sync client and uploader. */
  private attach(store: Store, keys: DeviceKey): void {
    this.store = store;
    this.keys = keys;
    this.photoUploader = new PhotoUploader(store, this.fetchFn, () => this.changed(false));
    const client = new SyncClient(store, {
      fetch: this.fetchFn,
      photos: this.photoUploader,
      wipe: () => this.session.wipe(),
      onRevoked: () => {
        this.session.revoked = true;
        this.changed(false);
      },
    });
    this.syncClient = client;
    client.subscribe(() => {
      if (this.syncClient !== client) return;
      // A locked phone cannot sync (it cannot read its outbox): no timer runs while locked.
      if (this.deviceLock.locked) queueMicrotask(() => client.stop());
      this.changed(false);
    });
  }

  /** An officer's database, opened locked with its key's configuration loaded. */
  private static async openDatabase(name: string): Promise<{ store: Store; keys: DeviceKey }> {
    const vault = new AesGcmVault();
    const store = await Store.open(name, vault);
    const keys = new DeviceKey(store.meta, vault);
    await keys.load();
    // "Online only": the last page's key is gone with it, and so is what it wrote.
    if (keys.method === "ephemeral") await store.clearPersonalData();
    return { store, keys };
  }

  /** Open the database of the officer who was last here (locked), as the app starts. */
  static async start(): Promise<AppServices> {
    const databases = await officerDatabases();
    const { store, keys } = await AppServices.openDatabase(latestDatabase(databases));
    const app = new AppServices(store, undefined, keys);
    app.othersWaiting = othersWaiting(databases, store.name);
    await app.load();
    return app;
  }

  /**
   * Another officer signed in: lock and close this database as it is (nothing in it is changed,
   * let alone deleted) and open theirs (`name`, created if new). Other tabs reload onto it.
   */
  async openOfficerDatabase(name: string): Promise<void> {
    await this.flushAll();
    this.syncClient.close();
    this.keys.lock();
    this.session.profile = null;
    this.store.close();
    const { store, keys } = await AppServices.openDatabase(name);
    this.attach(store, keys);
    await this.refreshOthers();
    await this.load();
    this.triggers.broadcast({ type: "officer" });
  }

  /** Count again what other officers' databases hold that has not reached the server. */
  async refreshOthers(): Promise<void> {
    this.othersWaiting = othersWaiting(await officerDatabases(), this.store.name);
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
