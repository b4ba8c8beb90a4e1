/**
 * What the service worker does when the browser wakes it for Background Sync and no window of
 * the app is open: open the phone's storage, as the service worker can (it never holds the data
 * key), and run one sync.
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
