/** This device was revoked (or signed out): its data is gone; it can be enrolled again. */

export function RevokedScreen() {
  return (
    <main id="main" class="enrol">
      <h1>Doorstep</h1>
      <p role="alert">Doorstep's data has been removed from this phone. If this phone was reported lost or replaced, ask your administrator for a new enrolment code.</p>
      <button type="button" class="primary" onClick={() => location.replace("/")}>Enrol this phone</button>
    </main>
  );
}
