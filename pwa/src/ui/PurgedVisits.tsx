/**
 * Visits the phone no longer holds: the server confirmed them (completed or approved, every
 * photo verified) and the grace time passed, so only a stub is kept (crime reference, status,
 * day; sealed like the rest). Also what the phone's storage holds now.
 */

import { STATUS_LABELS } from "../model/fields";
import { formatBytes, useApp, useLoad } from "./hooks";

export function PurgedVisits() {
  const app = useApp();
  const stubs = useLoad(() => app.store.purge.stubs(), []);
  const usage = app.storageHealth.usage;
  return (
    <section aria-labelledby="purged-title" class="purged-visits">
      {stubs && stubs.length > 0 && (
        <>
          <h2 id="purged-title">Removed from this phone</h2>
          <p class="muted">The server has these visits and their photos. Only the reference is kept here.</p>
          <ul class="visit-list">
            {stubs.map((s) => (
              <li key={s.id} class="visit-row purged" data-testid="purged-visit">
                <span class="visit-title">{s.crime_reference ?? "No crime reference"}</span>
                <span class="visit-meta">
                  <span class={`status status-${s.status}`}>{STATUS_LABELS[s.status] ?? s.status}</span> <span class="muted">{s.date ?? ""}</span>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {(!stubs || stubs.length === 0) && <h2 id="purged-title" class="visually-hidden">Storage</h2>}
      <p class="muted" data-testid="storage-used">
        Storage used on this phone: {usage !== null ? formatBytes(usage) : "unknown"}
      </p>
    </section>
  );
}
