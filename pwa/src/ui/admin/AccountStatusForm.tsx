/** Deactivate an account (sessions end, devices stop syncing, records stay) or reactivate it. */

import { useState } from "preact/hooks";

import { byField, checkReasonText, type AdminOfficer } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { TextField } from "./TextField";

export function AccountStatusForm({ officer, onChanged }: { officer: AdminOfficer; onChanged: (o: AdminOfficer) => void }) {
  const api = useAdminApi();
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction("status");
  const errors = byField(action.problems);
  const activate = !officer.active;
  const verb = activate ? "Reactivate" : "Deactivate";
  const labels = { reason: `Reason to ${verb.toLowerCase()}` };
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const bad = checkReasonText(reason, 3, 500);
    if (bad) {
      const found = [{ field: "reason", message: bad }];
      action.setProblems(found);
      setTimeout(() => focusProblem("status", found), 0);
      return;
    }
    const changed = await action.run(() => api.setActive(officer.id, activate, reason));
    if (changed) {
      setDone(
        changed.active
          ? "Reactivated. They can sign in with their passkey, or with a new enrolment code."
          : "Deactivated. Every session has ended and their devices no longer sync; their records stay.",
      );
      setReason("");
      onChanged(changed);
    }
  };
  return (
    <section class="sup-section" aria-labelledby="admin-status-title">
      <h2 id="admin-status-title">{activate ? "Reactivate the account" : "Deactivate the account"}</h2>
      <p>
        {activate
          ? "This account is deactivated: it cannot sign in or sync."
          : "Deactivating ends every session at once; their devices stop syncing and cannot sign in. Their visits and records stay."}
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormProblems form="status" action={action} labels={labels} what={`Not ${activate ? "reactivated" : "deactivated"}`} />
        <TextField form="status" name="reason" label={labels.reason} hint="3 to 500 characters; kept in the audit log" value={reason} onInput={setReason} error={errors["reason"]} required maxLength={500} />
        <div class="sup-actions">
          <button type="submit" class={activate ? undefined : "secondary danger"} disabled={action.busy}>{verb}</button>
        </div>
        {done && <p class="note" role="status">{done}</p>}
      </form>
    </section>
  );
}
