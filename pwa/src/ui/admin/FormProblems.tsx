/** Why a form was not sent or not accepted, naming each field; or a sign-in when the session ended. */

import { describeProblems } from "../../admin-api";
import { SignInAgain } from "../supervisor/SignInAgain";
import type { Action } from "./hooks";

export function FormProblems({ form, action, labels, what }: { form: string; action: Action; labels: Record<string, string>; what: string }) {
  if (action.signIn) return <SignInAgain onSignedIn={action.clearSignIn} />;
  if (action.problems.length === 0) return null;
  return (
    <p class="error" role="alert" id={`${form}-alert`} tabIndex={-1}>
      {what}: {describeProblems(action.problems, labels)}.
    </p>
  );
}
