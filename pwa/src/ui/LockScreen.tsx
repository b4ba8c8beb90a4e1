/**
 * The app is locked: the data key is not in memory. Unlock with the passkey (PRF: no signal
 * needed), with the device passphrase (or the 6-digit PIN of a phone set up before), or, on an
 * "online only" phone, by signing in again. What is waiting to sync is counted from clear
 * bookkeeping, so it shows without unlocking. Another officer can sign in instead: this data
 * stays locked and untouched.
 */

import { useState } from "preact/hooks";

import { ceremonyMessage, signIn } from "../auth";
import { PinWaitError } from "../crypto/device";
import { WrongKeyError } from "../crypto/keys";
import { useApp, useLoad } from "./hooks";

export function LockScreen() {
  const app = useApp();
  const counts = useLoad(() => app.store.counts(), []);
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const method = app.keys.method;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
    } catch (exc) {
      if (exc instanceof WrongKeyError || exc instanceof PinWaitError) setMessage(exc.message);
      else setMessage(ceremonyMessage(exc));
    } finally {
      setBusy(false);
    }
  };

  const onPin = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await app.deviceLock.unlockWithPin(pin);
      setPin("");
    });
  };

  const waiting = (counts?.waiting ?? 0) + (counts?.photosWaiting ?? 0) + (counts?.rejected ?? 0);
  return (
    <main id="main" class="enrol lock-screen" tabIndex={-1}>
      <h1>Doorstep is locked</h1>
      {method === "ephemeral" ? (
        <p>This phone works online only: nothing about victims is kept on it once the app is locked or closed. Sign in with your passkey to go on.</p>
      ) : (
        <p>Victims' details on this phone are encrypted. Unlock to see and edit your visits; you do not need signal.</p>
      )}
      {waiting > 0 && (
        <p class="note">
          Waiting to sync: {counts?.waiting ?? 0} {counts?.waiting === 1 ? "change" : "changes"} and {counts?.photosWaiting ?? 0}{" "}
          {counts?.photosWaiting === 1 ? "photo" : "photos"}. They are safe on this phone and sync after you unlock.
        </p>
      )}
      {method === "prf" && (
        <button type="button" class="primary" disabled={busy} onClick={() => void run(() => app.deviceLock.unlockWithPasskey())}>
          Unlock with passkey
        </button>
      )}
      {method === "pin" && (
        <form onSubmit={onPin}>
          <div class="field">
            <label for="device-pin">Device passphrase</label>
            <input
              id="device-pin"
              type="password"
              autocomplete="off"
              autocapitalize="none"
              required
              value={pin}
              onInput={(e) => setPin(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Unlocking…" : "Unlock"}
          </button>
        </form>
      )}
      {method === "ephemeral" && (
        <button
          type="button"
          class="primary"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await signIn(app.api);
              await app.session.signedIn();
            })
          }
        >
          Sign in with passkey
        </button>
      )}
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
      <h2>Another officer?</h2>
      <p>
        <a href="#/another-officer">Sign in as another officer</a>. What is locked here stays encrypted and untouched, and syncs when its officer
        signs in again.
      </p>
      <h2>Lost your passkey or passphrase?</h2>
      <p>
        <a href="#/sign-out">Sign out and wipe this phone</a>. Anything not yet synced is lost; ask your administrator for a new enrolment code.
      </p>
    </main>
  );
}
