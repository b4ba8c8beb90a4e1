/** Who is signed in on this phone, the app version, storage, switching officer, and sign-out. */

import { useState } from "preact/hooks";

import { formatBytes, useApp, useLoad } from "./hooks";
import { OtherOfficersWork } from "./OtherOfficersWork";

export function AboutPage() {
  const app = useApp();
  const counts = useLoad(() => app.store.counts(), []);
  const [message, setMessage] = useState<string | null>(null);
  const p = app.session.profile;
  const pending = (counts?.waiting ?? 0) + (counts?.photosWaiting ?? 0);
  // A shared phone: lock this officer's data (it stays, untouched) and let another sign in.
  const switchOfficer = async () => {
    setMessage(null);
    if (!(await app.deviceLock.lock())) {
      setMessage("This phone works online only: sync first, or what is not yet sent would be lost.");
      return;
    }
    location.hash = "#/another-officer";
  };
  return (
    <section aria-labelledby="about-title">
      <h1 id="about-title">This phone</h1>
      <dl class="facts">
        <dt>Officer</dt>
        <dd>{p ? `${p.officer.display_name} (${p.officer.collar_number})` : "Unknown"}</dd>
        <dt>Team</dt>
        <dd>{p ? `${p.team.name}, ${p.team.area_name}` : ""}</dd>
        <dt>Force</dt>
        <dd>{p?.settings.force_name ?? ""}</dd>
        <dt>App version</dt>
        <dd>{__APP_VERSION__}</dd>
        <dt>Storage used</dt>
        <dd>
          {app.storageHealth.usage !== null ? formatBytes(app.storageHealth.usage) : "Unknown"}
          {app.storageHealth.quota !== null ? ` of ${formatBytes(app.storageHealth.quota)}` : ""}
          {app.storageHealth.persisted ? " (kept by the browser)" : ""}
        </dd>
      </dl>
      <OtherOfficersWork />
      {app.keys.configured && app.keys.method !== "ephemeral" && (
        <button type="button" class="secondary" onClick={() => void app.deviceLock.lock()}>Lock now</button>
      )}
      <button type="button" class="secondary" onClick={() => void switchOfficer()}>Switch officer</button>
      {message && <p class="error" role="alert">{message}</p>}
      {pending > 0 && <p class="note">{pending} waiting {pending === 1 ? "item has" : "items have"} not synced yet: sync before you sign out.</p>}
      <p><a href="#/sign-out">Sign out and wipe this phone</a></p>
    </section>
  );
}
