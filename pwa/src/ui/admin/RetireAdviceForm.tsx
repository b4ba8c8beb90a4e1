/** Retire an advice item: no longer offered on the phones; ticks already given stay valid. */

import { useState } from "preact/hooks";

import { byField, type AdviceVersion } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { TextField } from "./TextField";

export function RetireAdviceForm({ item, onRetired, onCancel }: { item: AdviceVersion; onRetired: (v: AdviceVersion) => void; onCancel: () => void }) {
  const api = useAdminApi();
  const form = `retire-${item.item_id}`;
  const [reason, setReason] = useState("");
  const action = useAction(form);
  const errors = byField(action.problems);
  const label = `Why ${item.title} is retired`;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (reason.trim().length > 400) {
      const found = [{ field: "reason", message: "400 characters or fewer" }];
      action.setProblems(found);
      setTimeout(() => focusProblem(form, found), 0);
      return;
    }
    const retired = await action.run(() => api.retireAdvice(item.item_id, reason));
    if (retired) onRetired(retired);
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={`Retire ${item.title}`}>
      <FormProblems form={form} action={action} labels={{ reason: label }} what="Not retired" />
      <TextField form={form} name="reason" label={label} hint="Optional; kept in the audit log" value={reason} onInput={setReason} error={errors["reason"]} maxLength={400} />
      <div class="sup-actions">
        <button type="submit" class="secondary danger" disabled={action.busy}>Retire the item</button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
