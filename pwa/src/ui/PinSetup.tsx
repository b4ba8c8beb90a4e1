/**
 * This phone's passkey has no PRF and the force allows a device PIN: the officer chooses one
 * (at least 6 digits), from which the key that protects victims' data is derived (Argon2id).
 * Without a PIN the phone can still be used online only.
 */

import { useEffect, useState } from "preact/hooks";

import { pinProblem } from "../crypto/kdf";
import { useApp } from "./hooks";

export function PinSetup() {
  const app = useApp();
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [available, setAvailable] = useState<boolean | null>(null);

  useEffect(() => {
    void app.session.pinAvailable().then(setAvailable);
  }, [app]);

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const problem = pinProblem(pin);
    if (problem) return setMessage(problem);
    if (pin !== again) return setMessage("The two PINs are not the same.");
    setBusy(true);
    setMessage(null);
    void app.session
      .setPin(pin)
      .catch((exc: unknown) => setMessage(exc instanceof Error ? exc.message : String(exc)))
      .finally(() => setBusy(false));
  };

  return (
    <main id="main" class="enrol" tabIndex={-1}>
      <h1>Choose a device PIN</h1>
      <p>
        This phone's passkey cannot protect victims' details by itself, so Doorstep encrypts them with a key made from a PIN you choose.
        You will type it to unlock the app. Use at least 6 digits, not your phone's screen-lock PIN and not a date.
      </p>
      {available === false && (
        <p class="warning" role="alert">
          This browser cannot set a device PIN. Use Doorstep online only on this phone, or ask for a phone whose passkey supports encryption.
        </p>
      )}
      <form onSubmit={onSubmit}>
        <div class="field">
          <label for="new-pin">New device PIN</label>
          <input id="new-pin" type="password" inputMode="numeric" autocomplete="new-password" required minLength={6} value={pin} onInput={(e) => setPin(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-pin-again">The same PIN again</label>
          <input id="new-pin-again" type="password" inputMode="numeric" autocomplete="new-password" required minLength={6} value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy || available === false}>
          {busy ? "Setting up… (a few seconds)" : "Set PIN"}
        </button>
      </form>
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
      <h2>No PIN?</h2>
      <p>Online only: nothing about victims stays on this phone once the app is locked or closed, so you need signal to work and must sync before closing.</p>
      <button type="button" class="secondary" disabled={busy} onClick={() => void app.session.useOnlineOnly()}>
        Use online only
      </button>
    </main>
  );
}
