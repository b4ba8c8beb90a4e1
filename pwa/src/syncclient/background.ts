/**
 * What the service worker does when the browser wakes it for Background Sync and no window of
 * the app is open. The service worker never holds the data key, so the storage it opens is
 * locked (fail closed: never a vault that writes in clear, whether or not the phone has a key
 * yet), and the sync client skips what needs the key, which is everything: the app syncs when it
 * is open and unlocked.
 */

import type { FetchLike } from "../api";
import { DB_NAME, Store } from "../storage";
import { SyncClient } from "./client";
import type { SyncResult } from "./status";

export async function syncWithoutWindow(fetchFn: FetchLike, name: string = DB_NAME): Promise<SyncResult> {
  const store = await Store.open(name);
  try {
    const client = new SyncClient(store, { fetch: fetchFn, photos: null });
    const result = await client.syncOnce();
    client.stop();
    return result;
  } finally {
    store.close();
  }
}
