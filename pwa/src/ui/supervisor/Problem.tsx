/** An error from the server, shown where it happened, with a sign-in when the session ended. */

import { errorMessage, needsSignIn } from "../../supervisor-api";
import { SignInAgain } from "./SignInAgain";

export function Problem({ error, retry }: { error: unknown; retry: () => void }) {
  if (!error) return null;
  if (needsSignIn(error)) return <SignInAgain onSignedIn={retry} />;
  return (
    <div class="sup-problem" role="alert">
      <p class="error">{errorMessage(error)}</p>
      <button type="button" class="secondary" onClick={retry}>Try again</button>
    </div>
  );
}
