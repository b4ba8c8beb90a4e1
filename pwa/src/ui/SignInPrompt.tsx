/** The session has expired: nothing is lost, the outbox waits; sign in with the passkey to go on. */

import { useState } from "preact/hooks";

import { ceremonyMessage, signIn } from "../auth";
import { useApp } from "./hooks";

export function SignInPrompt() {
  const app = useApp();
  const [message, setMessage] = useState<string | null>(null);
  const go = async () => {
    setMessage(null);
    try {
      await signIn(app.api);
      await app.session.signedIn();
    } catch (exc) {
      setMessage(ceremonyMessage(exc));
    }
  };
  return (
    <div class="signin-prompt" role="region" aria-label="Sign in needed">
      <p>Your session has ended. Your work is safe on this phone and will sync after you sign in.</p>
      <button type="button" class="primary" onClick={() => void go()}>Sign in</button>
      {message && <p class="error" role="alert">{message}</p>}
    </div>
  );
}
