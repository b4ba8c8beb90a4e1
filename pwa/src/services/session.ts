/**
 * The officer's session on this phone: signing in (and setting up the phone's key the first
 * time), the profile and advice catalogue kept for offline use, signing out, and wiping the
 * phone (sign-out and wipe, a revoked device, another officer signing in).
 */

import { ApiError } from "../api";
import { discardKeyMaterial, takeKeyMaterial } from "../auth";
import { pinKdfAvailable } from "../crypto/kdf";
import { withoutPrf } from "../crypto/lock";
import type { Catalogue, Profile } from "../model/types";
import { deleteAllDatabases, DB_NAME, META } from "../storage";
import type { AppServices } from "./app-services";

export class Session {
  profile: Profile | null = null;
  catalogue: Catalogue | null = null;
  /** Revoked or wiped: only the revoked screen shows. */
  revoked = false;
  /** Signed in on a phone without PRF: waiting for the officer to choose a device PIN. */
  pinSetup: Profile | null = null;

  constructor(private readonly app: AppServices) {}

  get enrolled(): boolean {
    return this.profile !== null || this.app.keys.configured;
  }

  /** Read the kept profile (not while locked: it is sealed) and catalogue. */
  async load(): Promise<void> {
    const meta = this.app.store.meta;
    this.profile = this.app.deviceLock.locked ? null : ((await meta.getSealed<Profile>(META.profile)) ?? null);
    this.catalogue = (await meta.get<Catalogue>(META.catalogue)) ?? null;
  }

  /** After a sign-in or enrolment: keep the profile and catalogue for offline use. */
  async signedIn(): Promise<void> {
    const { app } = this;
    const keys = app.keys;
    const me = await app.api.get<Profile>("/api/me");
    const material = takeKeyMaterial();
    if (keys.method === "ephemeral" && keys.locked) {
      // Online only: a sign-in is the unlock; start from nothing with a new key.
      await app.store.clearPersonalData();
      await keys.setupEphemeral();
    } else if (keys.locked) {
      if (!(await keys.unlockWithMaterial(material))) await keys.unlockWithPasskey();
    } else if (!keys.configured) {
      if (material?.prfOutput) {
        await keys.setupPrf(material);
      } else if (withoutPrf(me) === "pin") {
        // PinSetup says so when this browser cannot run the PIN KDF, and offers online only.
        this.pinSetup = me;
        app.changed(false);
        return;
      } else {
        await keys.setupEphemeral();
      }
    }
    discardKeyMaterial();
    await this.finishSignedIn(me);
  }

  /** Can this phone use a device PIN (Argon2id in WebAssembly, allowed by the CSP)? */
  pinAvailable(): Promise<boolean> {
    return pinKdfAvailable();
  }

  /** The officer chose a device PIN (phone without PRF): set the key up and carry on. */
  async setPin(pin: string): Promise<void> {
    const me = this.pinSetup;
    if (!me) return;
    await this.app.keys.setupPin(pin);
    this.pinSetup = null;
    await this.finishSignedIn(me);
  }

  /** No PIN possible or wanted: this phone keeps nothing personal beyond the open page. */
  async useOnlineOnly(): Promise<void> {
    const me = this.pinSetup;
    if (!me) return;
    await this.app.keys.setupEphemeral();
    this.pinSetup = null;
    await this.finishSignedIn(me);
  }

  private async finishSignedIn(me: Profile): Promise<void> {
    const { app } = this;
    const previous = this.profile;
    if (previous && previous.officer.id !== me.officer.id) {
      const counts = await app.store.counts();
      if (counts.waiting > 0 || counts.photosWaiting > 0) {
        await app.api.post("/api/auth/logout", {}).catch(() => undefined);
        throw new Error(
          `This phone still holds unsent work of ${previous.officer.display_name}. They must sign in and sync it first.`,
        );
      }
      await this.wipe();
      throw new Error("Another officer's data was removed from this phone. Sign in again.");
    }
    await app.store.meta.setSealed(META.profile, me);
    try {
      await app.store.meta.set(META.catalogue, await app.api.get<Catalogue>("/api/advice"));
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 401) throw exc;
    }
    try {
      if (navigator.storage?.persist) await app.store.meta.set(META.persisted, await navigator.storage.persist());
    } catch {
      // best effort
    }
    await app.syncClient.signedIn();
    await app.load();
    app.deviceLock.resetIdle();
    app.changed(false);
    void app.triggers.syncNow(false);
  }

  /**
   * Wipe this device: the data key (crypto-shredded first, so even a database the browser
   * cannot delete at once is unreadable), every IndexedDB database, every cache, the service
   * worker and local settings.
   */
  async wipe(): Promise<void> {
    const { app } = this;
    app.syncClient.stop();
    app.deviceLock.stop();
    this.pinSetup = null;
    discardKeyMaterial();
    try {
      await app.keys.destroy();
    } catch {
      app.keys.lock(); // the store is already closed: deleting the database below suffices
    }
    app.store.close();
    await deleteAllDatabases(DB_NAME, app.store.name);
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
    app.triggers.broadcast({ type: "wiped" });
  }

  /** Another tab wiped the phone: this one holds nothing usable any more. */
  wipedElsewhere(): void {
    this.app.keys.lock();
    this.revoked = true;
    this.app.changed(false, false);
  }

  /** "Sign out and wipe": end the session on the server (best effort) and wipe the phone. */
  async signOutAndWipe(): Promise<void> {
    await this.app.flushAll();
    await Promise.race([
      this.app.api.post("/api/auth/logout", {}).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
    await this.wipe();
    this.revoked = true;
    this.app.changed(false, false);
  }

  /** Sign out (only with nothing waiting to go: the server's Clear-Site-Data wipes the phone). */
  async signOut(): Promise<void> {
    await this.app.api.post("/api/auth/logout", {}).catch(() => undefined);
    await this.wipe();
    this.revoked = true;
    this.app.changed(false, true);
  }
}
