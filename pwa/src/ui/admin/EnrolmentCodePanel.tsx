/** Issue a new one-time enrolment code for an account (a new or replacement device). */

import { useState } from "preact/hooks";

import type { AdminOfficer, EnrolmentCode } from "../../admin-api";
import { EnrolmentCodeBox } from "./EnrolmentCodeBox";
import { FormProblems } from "./FormProblems";
import { useAction, useAdminApi } from "./hooks";

export function EnrolmentCodePanel({ officer }: { officer: AdminOfficer }) {
  const api = useAdminApi();
  const [code, setCode] = useState<EnrolmentCode | null>(null);
  const action = useAction("code");
  const issue = async () => {
    const issued = await action.run(() => api.enrolmentCode(officer.id));
    if (issued) setCode(issued);
  };
  return (
    <section class="sup-section" aria-labelledby="admin-code-title">
      <h2 id="admin-code-title">Enrolment code</h2>
      <p>For a new or replacement device: a one-time code the officer types with their collar number. It is shown once.</p>
      <FormProblems form="code" action={action} labels={{}} what="No code issued" />
      {code ? (
        <EnrolmentCodeBox code={code} who={`${officer.display_name} (${officer.collar_number})`} onDone={() => setCode(null)} />
      ) : (
        <button type="button" class="secondary" disabled={action.busy || !officer.active} onClick={() => void issue()}>
          Issue an enrolment code
        </button>
      )}
      {!officer.active && <p class="muted">Reactivate the account first: a deactivated account gets no code.</p>}
    </section>
  );
}
