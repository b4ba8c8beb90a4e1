/**
 * This phone also holds another officer's work that has not reached the server (a shared phone):
 * counts only, from clear bookkeeping. It stays sealed under their key, is never shown here, and
 * syncs when they sign in on this phone again.
 */

import { useApp } from "./hooks";

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function OtherOfficersWork() {
  const app = useApp();
  const o = app.othersWaiting;
  if (o.waiting + o.rejected + o.photosWaiting === 0) return null;
  const parts = [
    o.waiting > 0 ? plural(o.waiting, "change", "changes") : null,
    o.rejected > 0 ? plural(o.rejected, "refused change", "refused changes") : null,
    o.photosWaiting > 0 ? plural(o.photosWaiting, "photo", "photos") : null,
  ].filter(Boolean);
  return (
    <p class="note" data-testid="other-officers-unsent">
      This phone also holds {o.officers === 1 ? "another officer's" : `${o.officers} other officers'`} work not yet on the server:{" "}
      {parts.join(", ")}. It stays encrypted (you cannot open it) and syncs when {o.officers === 1 ? "that officer signs" : "they sign"} in on this
      phone again. Do not wipe this phone for them.
    </p>
  );
}
