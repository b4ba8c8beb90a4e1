/**
 * Doorstep's service worker: precaches the app shell (versioned by Workbox's manifest), serves
 * navigations from it so the app opens with no signal, and never touches /api/ (network only,
 * nothing in CacheStorage). A new version waits until the app asks it to take over, which the
 * app does only when nothing is being edited. Background Sync nudges an open window to sync;
 * with no window open it opens storage locked and skips the sync (no key here, by design).
 */

import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

import { syncWithoutWindow } from "./syncclient/background";

const sw = self as unknown as ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };
declare global {
  // Workbox replaces this with the precache manifest at build time.
  var __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
}

export const SW_VERSION = __APP_VERSION__;
export const SYNC_TAG = "doorstep-sync";

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(new NavigationRoute(createHandlerBoundToURL("index.html"), { denylist: [/^\/api\//] }));

sw.addEventListener("message", (event: ExtendableMessageEvent) => {
  const data = event.data as { type?: string } | null;
  if (data?.type === "SKIP_WAITING") void sw.skipWaiting();
  if (data?.type === "GET_VERSION") event.ports[0]?.postMessage({ version: SW_VERSION });
});

interface SyncEvent extends ExtendableEvent {
  tag: string;
}

async function backgroundSync(): Promise<void> {
  const windows = await sw.clients.matchAll({ type: "window" });
  if (windows.length > 0) {
    // An open window syncs by itself; just nudge it.
    for (const w of windows) w.postMessage({ type: "SYNC_NOW" });
    return;
  }
  const result = await syncWithoutWindow((input, init) => fetch(input, init));
  // Let the browser retry later if we could not get through.
  if (result.outcome === "offline" || result.outcome === "retry") throw new Error(result.outcome);
}

sw.addEventListener("sync", ((event: SyncEvent) => {
  if (event.tag === SYNC_TAG) event.waitUntil(backgroundSync());
}) as EventListener);
