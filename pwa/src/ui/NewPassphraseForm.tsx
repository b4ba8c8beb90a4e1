/**
 * Choosing a device passphrase (phones whose passkey has no PRF): typed twice, checked against
 * the policy (crypto/kdf.ts pinProblem) before the slow key derivation starts.
 */

import { useState } from "preact/hooks";

import { pinProblem } from "../crypto/kdf";

export function NewPassphraseForm({ submit, label, disabled = false }: { submit: (passphrase: string) => Promise<void>; label: string; disabled?: boolean }) {
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const problem = pinProblem(pin);
    if (problem) return setMessage(problem);
    if (pin !== again) return setMessage("The two passphrases are not the same.");
    setBusy(true);
    setMessage(null);
    void submit(pin)
      .catch((exc: unknown) => setMessage(exc instanceof Error ? exc.message : String(exc)))
      .finally(() => setBusy(false));
  };

  return (
    <>
      <form onSubmit={onSubmit}>
        <div class="field">
          <label for="new-pin">New device passphrase</label>
          <input id="new-pin" type="password" autocomplete="new-password" autocapitalize="none" required value={pin} onInput={(e) => setPin(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-pin-again">The same passphrase again</label>
          <input id="new-pin-again" type="password" autocomplete="new-password" autocapitalize="none" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy || disabled}>
          {busy ? "Setting up… (a few seconds)" : label}
        </button>
      </form>
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
    </>
  );
}
