/** Give a visit, with its records, to another officer: both phones follow by sync. */

import { useState } from "preact/hooks";

import { byField, checkReasonText, normaliseId, type FieldProblem } from "../../admin-api";
import { useRemote } from "../supervisor/hooks";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

const LABELS = { visit_id: "Visit id", officer_id: "Give it to", reason: "Reason for reassigning" };

export function ReassignVisitForm() {
  const api = useAdminApi();
  const officers = useRemote(() => api.officers({ role: "officer", active: true }), []);
  const [visit, setVisit] = useState("");
  const [officer, setOfficer] = useState("");
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction("reassign");
  const errors = byField(action.problems);
  const list = officers.data?.officers ?? [];
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const found: FieldProblem[] = [];
    const id = normaliseId(visit);
    if (!id) found.push({ field: "visit_id", message: visit.trim() ? "A visit id looks like 3f2a9c4e-1b2d-4c5e-8f90-123456789abc" : "Enter the visit's id" });
    if (!officer) found.push({ field: "officer_id", message: "Choose the officer to give it to" });
    const bad = checkReasonText(reason, 3, 400);
    if (bad) found.push({ field: "reason", message: bad });
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem("reassign", found), 0);
      return;
    }
    const owner = await action.run(() => api.reassignVisit(id!, officer, reason));
    if (owner) {
      const to = list.find((o) => o.id === owner.officer_id);
      setDone(`Visit ${owner.id} is now ${to ? `${to.display_name}'s (${to.collar_number}), ${to.team_name}` : "reassigned"}. Both phones follow at their next sync.`);
      setVisit("");
      setOfficer("");
      setReason("");
    }
  };
  return (
    <section class="sup-section" aria-labelledby="admin-reassign-title">
      <h2 id="admin-reassign-title">Reassign a visit</h2>
      <p>The visit moves to the officer's team and area. Their phone receives it; the previous officer's phone drops it.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormProblems form="reassign" action={action} labels={LABELS} what="Not reassigned" />
        <div class="admin-grid">
          <TextField form="reassign" name="visit_id" label={LABELS.visit_id} hint="The visit's id, as the supervisor's visit page shows it" value={visit} onInput={setVisit} error={errors["visit_id"]} required />
          <SelectField
            form="reassign"
            name="officer_id"
            label={LABELS.officer_id}
            hint="Active officers only"
            value={officer}
            onChange={setOfficer}
            placeholder="Choose an officer"
            choices={list.map((o) => ({ value: o.id, label: `${o.display_name} (${o.collar_number}), ${o.team_name}` }))}
            error={errors["officer_id"]}
          />
          <TextField form="reassign" name="reason" label={LABELS.reason} hint="3 to 400 characters; kept in the audit log" value={reason} onInput={setReason} error={errors["reason"]} required maxLength={400} />
        </div>
        <div class="sup-actions">
          <button type="submit" disabled={action.busy}>Reassign the visit</button>
        </div>
        {done && <p class="note" role="status">{done}</p>}
      </form>
    </section>
  );
}
