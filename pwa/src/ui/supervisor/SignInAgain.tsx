/** Shown when the supervisor's session has ended: sign in with the passkey, then carry on. */

import { useState } from "preact/hooks";

import { ceremonyMessage, signIn } from "../../auth";
import { useApp } from "../hooks";

export function SignInAgain({ onSignedIn }: { onSignedIn: () => void }) {
  const app = useApp();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setMessage(null);
    try {
      await signIn(app.api);
      await app.session.signedIn();
      onSignedIn();
    } catch (exc) {
      setMessage(ceremonyMessage(exc));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="signin-prompt" role="region" aria-label="Sign in needed">
      <p>Your session has ended. Sign in again with your passkey to carry on.</p>
      <button type="button" disabled={busy} onClick={() => void go()}>Sign in</button>
      {message && <p class="error" role="alert">{message}</p>}
    </div>
  );
}
