/**
 * Unlocked with a device PIN from before passphrases were required (6 digits): someone with a
 * copy of this phone's data could guess it offline in days, so a longer passphrase must be
 * chosen now. The data key is wrapped again under it; the data itself is untouched.
 */

import { useApp } from "./hooks";
import { NewPassphraseForm } from "./NewPassphraseForm";

export function PinChange() {
  const app = useApp();
  return (
    <main id="main" class="enrol" tabIndex={-1}>
      <h1>Choose a longer device passphrase</h1>
      <p>
        Your device PIN is too short to protect victims' details if someone copies this phone's data. Choose a passphrase of at least 10
        characters with letters, for example three or four words. Your visits and unsent work stay as they are.
      </p>
      <NewPassphraseForm label="Change passphrase" submit={(pin) => app.deviceLock.changePin(pin)} />
    </main>
  );
}
