/**
 * This device was revoked, or its officer signed out and wiped it: their data is gone. When the
 * wipe was their own and other officers' work is still on the phone, that stays (theirs).
 */

import { useApp } from "./hooks";

export function RevokedScreen() {
  const app = useApp();
  return (
    <main id="main" class="enrol">
      <h1>Doorstep</h1>
      {app.session.othersKept ? (
        <p role="alert">
          Your Doorstep data has been removed from this phone. Other officers' work on it stays, encrypted, until they sync it. To use Doorstep
          here again, sign in or ask your administrator for a new enrolment code.
        </p>
      ) : (
        <p role="alert">Doorstep's data has been removed from this phone. If this phone was reported lost or replaced, ask your administrator for a new enrolment code.</p>
      )}
      <button type="button" class="primary" onClick={() => location.replace("/")}>{app.session.othersKept ? "Continue" : "Enrol this phone"}</button>
    </main>
  );
}
