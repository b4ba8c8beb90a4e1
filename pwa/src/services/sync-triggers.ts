/**
 * When the app syncs: at start, when signal returns, when it comes to the foreground, a moment
 * after a local edit, on "Sync now", when the service worker passes on a Background Sync, and
 * when another tab says something changed (BroadcastChannel). The sync client's own timer
 * (backoff, idle interval) does the rest.
 */

import type { AppServices } from "./app-services";

const SYNC_SOON_MS = 3_000;
const CHANNEL = "doorstep";
const BACKGROUND_SYNC_TAG = "doorstep-sync";

/** What tabs tell each other ("officer": another officer's data is open now). */
export interface TabMessage {
  type: "changed" | "wiped" | "officer";
}

export class SyncTriggers {
  private channel: BroadcastChannel | null = null;
  private soon: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly app: AppServices) {}

  /** Wire the triggers: start, online, foreground, other tabs, the service worker's nudge. */
  start(): void {
    const { app } = this;
    if (typeof BroadcastChannel !== "undefined") {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = async (event: MessageEvent) => {
        const type = (event.data as { type?: string } | null)?.type;
        if (type === "wiped") {
          app.session.wipedElsewhere();
          return;
        }
        if (type === "officer") {
          // This tab holds the previous officer's key: drop it and start again, locked.
          app.keys.lock();
          location.reload();
          return;
        }
        await app.load();
        app.changed(false, false);
      };
    }
    app.deviceLock.start();
    window.addEventListener("online", () => void this.syncNow(false));
    window.addEventListener("offline", () => app.changed(false));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void this.syncNow(false);
      else void app.flushAll();
    });
    window.addEventListener("pagehide", () => void app.flushAll());
    navigator.serviceWorker?.addEventListener("message", (event) => {
      if ((event.data as { type?: string } | null)?.type === "SYNC_NOW") void this.syncNow(false);
    });
    void app.checkStorage();
    void this.syncNow(false);
  }

  /** Tell the other tabs (no-op before start or where there is no BroadcastChannel). */
  broadcast(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  /** A local edit: sync in a moment (edits in quick succession share one run). */
  syncSoon(): void {
    if (this.soon) clearTimeout(this.soon);
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.syncNow(false);
    }, SYNC_SOON_MS);
    void this.registerBackgroundSync();
  }

  async syncNow(manual = true): Promise<void> {
    const { app } = this;
    const { session, deviceLock } = app;
    if (!session.enrolled || session.revoked || deviceLock.locked || session.pinSetup) return;
    try {
      await app.flushAll();
      await app.syncClient.sync(manual);
      if (session.revoked || deviceLock.locked) return;
      await app.load();
      await deviceLock.purgeNow(false);
      if (await app.syncClient.repullIfAsked()) await app.load();
      app.changed(false);
      void app.checkStorage();
      // A phone signed in before leave-behind texts were served fetches them once (kept offline).
      if (!session.leaveBehind) void session.refreshLeaveBehind().catch(() => undefined);
    } catch {
      // The store was closed under us (wiped): the revoked screen is showing.
    }
  }

  /** Ask the browser to wake the service worker when signal returns (where supported). */
  private async registerBackgroundSync(): Promise<void> {
    try {
      const reg = (await navigator.serviceWorker?.ready) as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
      await reg?.sync?.register(BACKGROUND_SYNC_TAG);
    } catch {
      // Not supported, or not allowed: the other triggers still drain the outbox.
    }
  }
}
