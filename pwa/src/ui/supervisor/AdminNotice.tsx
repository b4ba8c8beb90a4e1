/** Administrators use the command line or the admin API; the app has nothing for them. */

import { useApp } from "../hooks";
import "./supervisor.css";

export function AdminNotice() {
  const app = useApp();
  const p = app.session.profile;
  const signOut = async () => {
    if (!window.confirm("Sign out and remove Doorstep's data from this device?")) return;
    await app.session.signOut();
  };
  return (
    <>
      <header class="app-header">
        <span class="brand">Doorstep</span>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>Administration</h1>
        <p>
          {p ? `${p.officer.display_name} (${p.officer.collar_number}), you` : "You"} are signed in as an administrator. Administration is
          done with the <code>doorstep</code> command or the admin API: officers and teams, one-time enrolment codes, device revocation, the
          advice catalogue and retention.
        </p>
        <p>This app is for officers capturing visits and supervisors reviewing them.</p>
        <button type="button" class="secondary" onClick={() => void signOut()}>Sign out</button>
      </main>
    </>
  );
}
