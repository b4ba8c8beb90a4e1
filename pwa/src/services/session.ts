/**
 * The officer's session on this phone: signing in (and setting up the phone's key the first
 * time), the profile and advice catalogue kept for offline use, signing out, and wiping.
 *
 * A shared phone keeps each officer's data in a database of their own (storage/officers.ts).
 * When another officer signs in (a session that expired while unlocked, a shared phone, a
 * synced passkey), the data open until then is locked, closed and left untouched, sealed under
 * its officer's key, and syncs when they sign in here again. Unsent work is deleted only by its
 * officer's own "Sign out and wipe" after being shown what is unsent, or by a revocation.
 */

import { ApiError } from "../api";
import { discardKeyMaterial, takeKeyMaterial, type KeyMaterial } from "../auth";
import { pinKdfAvailable } from "../crypto/kdf";
import { IdleLock, withoutPrf } from "../crypto/lock";
import type { LeaveBehindContent } from "../aftercare/render";
import type { Catalogue, Profile } from "../model/types";
import {
  claim,
  databaseForNewOfficer,
  databaseOf,
  deleteAllDatabases,
  DB_NAME,
  META,
  officerDatabases,
  othersHoldingData,
} from "../storage";
import type { AppServices } from "./app-services";

export class Session {
  profile: Profile | null = null;
  catalogue: Catalogue | null = null;
  /** The leave-behind texts in force, kept for offline use (docs/aftercare.md). */
  leaveBehind: LeaveBehindContent | null = null;
  /** Revoked or wiped: only the removed screen shows. */
  revoked = false;
  /** The last wipe removed only this officer's data: other officers' stays on the phone. */
  othersKept = false;
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
    this.leaveBehind = (await meta.get<LeaveBehindContent>(META.leaveBehind)) ?? null;
  }

  /** Fetch the leave-behind texts in force and keep them (online; offline the kept ones stay). */
  async refreshLeaveBehind(): Promise<LeaveBehindContent | null> {
    try {
      const content = await this.app.api.get<LeaveBehindContent>("/api/leave-behind");
      await this.app.store.meta.set(META.leaveBehind, content);
      this.leaveBehind = content;
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 401) throw exc;
    }
    return this.leaveBehind;
  }

  /**
   * After a sign-in or enrolment: open this officer's own data (another officer's stays as it
   * is), unlock it or set its key up, and keep the profile and catalogue for offline use.
   */
  async signedIn(enrolment: { prfEnabled: boolean } | null = null): Promise<void> {
    const { app } = this;
    const me = await app.api.get<Profile>("/api/me");
    const material = takeKeyMaterial();
    await this.openDataOf(me, material);
    await claim(app.store, me.officer.id);
    if (enrolment) await app.store.meta.set(META.prfEnabled, enrolment.prfEnabled);
    const keys = app.keys;
    if (keys.method === "ephemeral" && keys.locked) {
      // Online only: a sign-in is the unlock; start from nothing with a new key.
      await app.store.clearPersonalData();
      await keys.setupEphemeral();
    } else if (keys.locked && keys.method === "pin") {
      // This officer's data is locked under their device PIN: the lock screen asks for it.
      discardKeyMaterial();
      await app.syncClient.signedIn();
      await app.load();
      app.changed(false);
      return;
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

  /**
   * Make the signed-in officer's database the open one. If the open one is another officer's,
   * it is locked and closed as it is (nothing deleted, nothing moved), and this officer's own
   * database opens (created if they are new to the phone).
   */
  private async openDataOf(me: Profile, material: KeyMaterial | null): Promise<void> {
    const { app } = this;
    if (await this.isOpenDataOf(me.officer.id, material)) return;
    if (app.keys.method === "ephemeral" && !app.keys.locked) {
      // Online only: the other officer's unsent work lives only as long as this page's key.
      const c = await app.store.counts();
      if (c.waiting > 0 || c.photosWaiting > 0) {
        // Ends this sign-in's session; deletes nothing (logout never clears storage).
        await app.api.post("/api/auth/logout", {}).catch(() => undefined);
        throw new Error(
          "This phone holds another officer's unsent work, kept only while this page is open (online only). They must sign in and sync it first.",
        );
      }
    }
    IdleLock.forget();
    const databases = await officerDatabases();
    const name = databaseOf(databases, me.officer.id, material?.credentialId ?? null) ?? databaseForNewOfficer(databases, me.officer.id);
    await app.openOfficerDatabase(name);
    if (typeof location !== "undefined") location.hash = "#/";
  }

  /** Is the open database this officer's (or nobody's yet)? */
  private async isOpenDataOf(officerId: string, material: KeyMaterial | null): Promise<boolean> {
    const { app } = this;
    const owner = await app.store.meta.get<string>(META.owner);
    if (owner !== undefined) return owner === officerId;
    // Nobody has claimed it yet: a new phone, or one from before officers had a database each.
    if (!app.keys.configured) return true; // no key was ever set up: it holds nobody's data
    if (this.profile) return this.profile.officer.id === officerId; // unlocked: we know whose
    if (app.keys.method === "ephemeral") return true; // locked online only: nothing readable is left
    const prf = app.keys.config?.prf;
    return prf !== null && prf !== undefined && material !== null && prf.credential_id === material.credentialId;
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
    await app.store.meta.setSealed(META.profile, me);
    try {
      await app.store.meta.set(META.catalogue, await app.api.get<Catalogue>("/api/advice"));
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 401) throw exc;
    }
    await this.refreshLeaveBehind();
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
   * Wipe this device, every officer's data on it (a revoked device; the server's
   * Clear-Site-Data "storage" does the same): the data key (crypto-shredded first, so even a
   * database the browser cannot delete at once is unreadable), every IndexedDB database, every
   * cache, the service worker and local settings.
   */
  async wipe(): Promise<void> {
    const { app } = this;
    this.forgetKey();
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

  /**
   * Wipe this officer's own data: their key (crypto-shredded first) and their database. Other
   * officers' databases on the phone stay, and so do the app shell and the service worker they
   * need; with none left this is the whole wipe above.
   */
  async wipeOwn(): Promise<void> {
    const { app } = this;
    const others = othersHoldingData(await officerDatabases(), app.store.name);
    if (others.length === 0) {
      this.othersKept = false;
      await this.wipe();
      return;
    }
    this.forgetKey();
    try {
      await app.keys.destroy();
    } catch {
      app.keys.lock();
    }
    await app.store.drop();
    IdleLock.forget();
    this.profile = null;
    this.catalogue = null;
    this.othersKept = true;
    app.triggers.broadcast({ type: "wiped" });
  }

  private forgetKey(): void {
    const { app } = this;
    app.syncClient.close();
    app.deviceLock.stop();
    this.pinSetup = null;
    discardKeyMaterial();
  }

  /** Another tab wiped the phone: this one holds nothing usable any more. */
  wipedElsewhere(): void {
    this.app.keys.lock();
    this.revoked = true;
    this.app.changed(false, false);
  }

  /**
   * "Sign out and wipe", after the officer was shown what is unsent: end the session on the
   * server (best effort; logout clears cookies, never storage) and delete their own data.
   */
  async signOutAndWipe(): Promise<void> {
    await this.app.flushAll();
    await Promise.race([
      this.app.api.post("/api/auth/logout", {}).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
    await this.wipeOwn();
    this.revoked = true;
    this.app.changed(false, false);
  }

  /** Sign out (supervisors and administrators, who keep nothing to send): as sign out and wipe. */
  async signOut(): Promise<void> {
    await this.app.api.post("/api/auth/logout", {}).catch(() => undefined);
    await this.wipeOwn();
    this.revoked = true;
    this.app.changed(false, true);
  }
}
