/** Look up a visit's audit trail by its id (auditors may read any visit's). */

import { useState } from "preact/hooks";

import { byField, normaliseId } from "../../admin-api";
import { useFocusHeading } from "../supervisor/hooks";
import { AuditTrail } from "./AuditTrail";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction } from "./hooks";
import { TextField } from "./TextField";

const LABELS = { visit_id: "Visit id" };

export function AuditVisitPage({ visitId }: { visitId: string | null }) {
  const [value, setValue] = useState(visitId ?? "");
  const action = useAction("lookup");
  const errors = byField(action.problems);
  useFocusHeading("audit-visit-title", "once");
  const submit = (e: Event) => {
    e.preventDefault();
    const id = normaliseId(value);
    if (!id) {
      const found = [{ field: "visit_id", message: value.trim() ? "A visit id looks like 3f2a9c4e-1b2d-4c5e-8f90-123456789abc" : "Enter the visit's id" }];
      action.setProblems(found);
      setTimeout(() => focusProblem("lookup", found), 0);
      return;
    }
    action.setProblems([]);
    window.location.hash = `#/audit/visits/${id}`;
  };
  const shown = visitId ? normaliseId(visitId) : null;
  return (
    <section aria-labelledby="audit-visit-title">
      <h1 id="audit-visit-title" tabIndex={-1}>A visit's audit</h1>
      <p>Who collected, viewed, changed, exported or erased a visit and its records, and when. Every reading is itself audited.</p>
      <p class="muted">
        Auditors read the audit only: no victim's record, and no exports (supervisors make those; each shows here as “Exported (disclosed)”
        with its reason).
      </p>
      <form class="sup-filters" aria-label="Find a visit's audit" onSubmit={submit} noValidate>
        <FormProblems form="lookup" action={action} labels={LABELS} what="Cannot look it up" />
        <TextField form="lookup" name="visit_id" label={LABELS.visit_id} hint="The visit's id, from a supervisor's visit page or the audit log" value={value} onInput={setValue} error={errors["visit_id"]} required />
        <button type="submit">Show the audit trail</button>
      </form>
      {shown && (
        <section class="sup-section" aria-labelledby="audit-trail-title">
          <h2 id="audit-trail-title">Visit {shown}</h2>
          <AuditTrail visitId={shown} />
        </section>
      )}
    </section>
  );
}
