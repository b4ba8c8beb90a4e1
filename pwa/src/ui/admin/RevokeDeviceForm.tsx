/** Revoke one device (a lost or stolen phone), with the reason kept in the audit log. */

import { useState } from "preact/hooks";

import { byField, checkReasonText, type Device } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { TextField } from "./TextField";

export function RevokeDeviceForm({ device, onRevoked }: { device: Device; onRevoked: () => void }) {
  const api = useAdminApi();
  const [reason, setReason] = useState("");
  const form = `revoke-${device.id.slice(0, 8)}`;
  const action = useAction(form);
  const errors = byField(action.problems);
  const label = `Reason to revoke ${device.label || "this device"}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const bad = checkReasonText(reason, 3, 200);
    if (bad) {
      const found = [{ field: "reason", message: bad }];
      action.setProblems(found);
      setTimeout(() => focusProblem(form, found), 0);
      return;
    }
    if (await action.run(() => api.revokeDevice(device.id, reason))) onRevoked();
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <FormProblems form={form} action={action} labels={{ reason: label }} what="Not revoked" />
      <TextField form={form} name="reason" label={label} hint="3 to 200 characters, for example “Phone reported lost”" value={reason} onInput={setReason} error={errors["reason"]} required maxLength={200} />
      <button type="submit" class="secondary danger" disabled={action.busy}>Revoke this device</button>
    </form>
  );
}
