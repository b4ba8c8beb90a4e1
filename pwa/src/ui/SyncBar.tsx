/**
 * Always visible: changes waiting, photo bytes waiting, last successful sync, anything that
 * needs attention, and "Sync now". Counts are plain text (and in a polite live region).
 */

import { formatBytes, formatTime, useApp, useLoad, useVersion } from "./hooks";

export function SyncBar() {
  const app = useApp();
  useVersion();
  const counts = useLoad(async () => {
    const c = await app.store.counts();
    let conflicts = 0;
    for (const collection of ["visits", "property_items", "kit_issues", "photos"] as const) {
      conflicts += (await app.store.records.list(collection)).reduce((n, r) => n + r.conflicts.length, 0);
    }
    const failedPhotos = (await app.store.photos.states()).filter((p) => p.upload_state === "failed").length;
    return { ...c, conflicts, failedPhotos };
  }, []);
  const s = app.syncClient.status;
  const attention =
    (counts?.rejected ?? 0) + (counts?.conflicts ?? 0) + (counts?.failedPhotos ?? 0) + (s.seqBroken ? 1 : 0) + (app.storageHealth.low ? 1 : 0);
  const online = typeof navigator === "undefined" ? true : navigator.onLine && s.online;

  return (
    <aside class="sync-bar" aria-label="Sync status">
      <div class="sync-facts" role="status" aria-live="polite">
        <span class="fact">
          <span data-testid="changes-waiting">{counts?.waiting ?? 0}</span> {counts?.waiting === 1 ? "change" : "changes"} waiting
        </span>
        <span class="fact">
          <span data-testid="photos-waiting">{counts?.photosWaiting ?? 0}</span> {counts?.photosWaiting === 1 ? "photo" : "photos"} waiting
          {counts && counts.photoBytesWaiting > 0 ? <> (<span data-testid="photo-bytes-waiting">{formatBytes(counts.photoBytesWaiting)}</span>)</> : null}
        </span>
        <span class="fact" data-testid="last-sync">
          {s.running ? "Syncing…" : s.lastSyncAt ? `Last synced ${formatTime(s.lastSyncAt)}` : "Not synced yet"}
        </span>
        {!online && <span class="fact offline">Offline: your work is saved on this phone</span>}
        {s.signinNeeded && <span class="fact alert">Sign-in needed to sync</span>}
        {app.storageHealth.low && <span class="fact alert">Storage low</span>}
        {attention > 0 && (
          <a class="fact alert" href="#/attention">
            <span data-testid="needs-attention">{attention}</span> {attention === 1 ? "needs" : "need"} attention
          </a>
        )}
      </div>
      <button type="button" class="sync-now" onClick={() => void app.triggers.syncNow(true)} disabled={s.running}>
        Sync now
      </button>
    </aside>
  );
}
