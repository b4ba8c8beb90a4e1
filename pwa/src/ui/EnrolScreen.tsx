/**
 * First run: enrol this phone with a collar number and one-time code, or sign in with its
 * passkey. `another`: an officer other than the one whose data is locked here (a shared phone);
 * that data stays encrypted and untouched, and this officer gets their own.
 */

import { useState } from "preact/hooks";

import { ceremonyMessage, enrol, passkeysSupported, signIn } from "../auth";
import { useApp } from "./hooks";

export function EnrolScreen({ another = false }: { another?: boolean }) {
  const app = useApp();
  const [collar, setCollar] = useState("");
  const [code, setCode] = useState("");
  const [label, setLabel] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const supported = passkeysSupported();

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
    } catch (exc) {
      setMessage(ceremonyMessage(exc));
    } finally {
      setBusy(false);
    }
  };

  const onEnrol = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const result = await enrol(app.api, collar.trim(), code.trim().replace(/\s+/g, ""), label.trim() || "Phone");
      await app.session.signedIn({ prfEnabled: result.prfEnabled });
      if (another) location.hash = "#/";
    });
  };

  return (
    <main id="main" class="enrol">
      <h1>{another ? "Another officer" : "Doorstep"}</h1>
      {another && (
        <p>
          Sign in with your own passkey, or set this phone up for you with a one-time code. The work locked on this phone stays encrypted and
          untouched: it is its officer's, and syncs when they sign in here again. <a href="#/">Back to the lock screen</a>
        </p>
      )}
      <p>Set up this phone once with the one-time code your administrator gave you. You will then unlock the app with a passkey (fingerprint, face or screen lock): there is no password.</p>
      {!supported && <p class="warning">This browser cannot use passkeys. Use an up-to-date Chrome, Safari or Firefox.</p>}
      <form onSubmit={onEnrol}>
        <div class="field">
          <label for="collar">Collar number</label>
          <input id="collar" type="text" autocomplete="username" inputMode="text" required value={collar} onInput={(e) => setCollar(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="code">One-time code</label>
          <input id="code" type="text" autocomplete="one-time-code" required minLength={8} value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="device-label">Name for this phone (optional)</label>
          <input id="device-label" type="text" maxLength={80} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy || !supported}>Enrol this phone</button>
      </form>
      <h2>Already set up?</h2>
      <button type="button" class="secondary" disabled={busy || !supported} onClick={() => void run(async () => { await signIn(app.api); await app.session.signedIn(); if (another) location.hash = "#/"; })}>
        Sign in with passkey
      </button>
      {message && <p class="error" role="alert">{message}</p>}
    </main>
  );
}
