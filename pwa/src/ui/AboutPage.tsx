/** Who is signed in on this phone, the app version, storage, and sign-out. */

import { formatBytes, useApp, useLoad } from "./hooks";

export function AboutPage() {
  const app = useApp();
  const counts = useLoad(() => app.store.counts(), []);
  const p = app.profile;
  const pending = (counts?.waiting ?? 0) + (counts?.photosWaiting ?? 0);
  const signOut = async () => {
    if (!window.confirm("Sign out and remove all Doorstep data from this phone?")) return;
    await app.signOut();
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
          {app.storage.usage !== null ? formatBytes(app.storage.usage) : "Unknown"}
          {app.storage.quota !== null ? ` of ${formatBytes(app.storage.quota)}` : ""}
          {app.storage.persisted ? " (kept by the browser)" : ""}
        </dd>
      </dl>
      {pending > 0 ? (
        <p class="note">You can sign out once your {pending} waiting {pending === 1 ? "item has" : "items have"} synced.</p>
      ) : (
        <button type="button" class="secondary danger" onClick={() => void signOut()}>Sign out and remove data</button>
      )}
    </section>
  );
}
