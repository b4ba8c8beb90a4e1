/**
 * This phone's passkey has no PRF and the force allows a device passphrase: the officer chooses
 * one (at least 10 characters, letters as well as digits), from which the key that protects
 * victims' data is derived (Argon2id). Without one the phone can still be used online only.
 */

import { useEffect, useState } from "preact/hooks";

import { useApp } from "./hooks";
import { NewPassphraseForm } from "./NewPassphraseForm";

export function PinSetup() {
  const app = useApp();
  const [available, setAvailable] = useState<boolean | null>(null);

  useEffect(() => {
    void app.session.pinAvailable().then(setAvailable);
  }, [app]);

  return (
    <main id="main" class="enrol" tabIndex={-1}>
      <h1>Choose a device passphrase</h1>
      <p>
        This phone's passkey cannot protect victims' details by itself, so Doorstep encrypts them with a key made from a passphrase you
        choose. You will type it to unlock the app. Use at least 10 characters with letters, for example three or four words; not your
        phone's screen-lock PIN, not a date or a number alone.
      </p>
      {available === false && (
        <p class="warning" role="alert">
          This browser cannot set a device passphrase. Use Doorstep online only on this phone, or ask for a phone whose passkey supports
          encryption.
        </p>
      )}
      <NewPassphraseForm label="Set passphrase" disabled={available === false} submit={(pin) => app.session.setPin(pin)} />
      <h2>No passphrase?</h2>
      <p>Online only: nothing about victims stays on this phone once the app is locked or closed, so you need signal to work and must sync before closing.</p>
      <button type="button" class="secondary" onClick={() => void app.session.useOnlineOnly()}>
        Use online only
      </button>
    </main>
  );
}
