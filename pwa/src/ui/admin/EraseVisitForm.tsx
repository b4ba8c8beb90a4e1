/** Erase one visit now (recorded in error, a rights request...), after a confirmation: irreversible. */

import { useState } from "preact/hooks";

import { byField, checkReasonText, ERASE_BASES, normaliseId, type EraseBasis, type Erasure, type FieldProblem } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

const LABELS = { visit_id: "Visit id to erase", basis: "Basis for erasure", reason: "Reason for erasure" };

export function EraseVisitForm() {
  const api = useAdminApi();
  const [visit, setVisit] = useState("");
  const [basis, setBasis] = useState<EraseBasis | "">("");
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState<string | null>(null);
  const [done, setDone] = useState<Erasure | null>(null);
  const action = useAction("erase");
  const errors = byField(action.problems);

  const check = (e: Event) => {
    e.preventDefault();
    setDone(null);
    const found: FieldProblem[] = [];
    const id = normaliseId(visit);
    if (!id) found.push({ field: "visit_id", message: visit.trim() ? "A visit id looks like 3f2a9c4e-1b2d-4c5e-8f90-123456789abc" : "Enter the visit's id" });
    if (!basis) found.push({ field: "basis", message: "Choose the basis for erasing it" });
    const bad = checkReasonText(reason, 10, 400);
    if (bad) found.push({ field: "reason", message: bad });
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem("erase", found), 0);
      return;
    }
    action.setProblems([]);
    setConfirming(id);
    setTimeout(() => document.getElementById("erase-confirm-title")?.focus(), 0);
  };

  const erase = async () => {
    const id = confirming;
    if (!id || !basis) return;
    setConfirming(null);
    const erased = await action.run(() => api.eraseVisit(id, basis, reason));
    if (erased) {
      setDone(erased);
      setVisit("");
      setBasis("");
      setReason("");
    }
  };

  return (
    <section class="sup-section" aria-labelledby="admin-erase-title">
      <h2 id="admin-erase-title">Erase a visit</h2>
      <p>
        Removes the visit, every record of it and its photos, on the server and, by sync, on the phones. It cannot be undone. The audit rows
        stay. Name no one in the reason: the audit log holds no personal data.
      </p>
      <form onSubmit={check} noValidate>
        <FormProblems form="erase" action={action} labels={LABELS} what="Not erased" />
        <div class="admin-grid">
          <TextField form="erase" name="visit_id" label={LABELS.visit_id} value={visit} onInput={(v) => { setVisit(v); setConfirming(null); }} error={errors["visit_id"]} required />
          <SelectField form="erase" name="basis" label={LABELS.basis} value={basis} onChange={(v) => { setBasis(v as EraseBasis); setConfirming(null); }} placeholder="Choose the basis" choices={ERASE_BASES} error={errors["basis"]} />
          <TextField form="erase" name="reason" label={LABELS.reason} hint="10 to 400 characters, naming no one, for example “Entered against the wrong crime reference”" rows={2} value={reason} onInput={(v) => { setReason(v); setConfirming(null); }} error={errors["reason"]} required maxLength={400} />
        </div>
        {!confirming && (
          <div class="sup-actions">
            <button type="submit" class="secondary danger" disabled={action.busy}>Erase the visit…</button>
          </div>
        )}
      </form>
      {confirming && (
        <div class="warning admin-confirm" role="group" aria-labelledby="erase-confirm-title">
          <h3 id="erase-confirm-title" tabIndex={-1}>Erase visit {confirming}?</h3>
          <p>Everything of it is removed for good, from the server and the phones. This cannot be undone.</p>
          <div class="sup-actions">
            <button type="button" class="secondary danger" disabled={action.busy} onClick={() => void erase()}>Yes, erase it for good</button>
            <button type="button" class="secondary" onClick={() => setConfirming(null)}>Cancel</button>
          </div>
        </div>
      )}
      {done && (
        <div class="note" role="status">
          <p>Visit {done.visit_id} erased. Records removed: {Object.entries(done.records).filter(([, n]) => n > 0).map(([c, n]) => `${c.replace(/_/g, " ")}: ${n}`).join(", ") || "none"}; photo files removed: {done.objects_removed}.</p>
          {done.objects_pending > 0 && <p>{done.objects_pending} photo files could not be removed yet: the retention run retries them.</p>}
        </div>
      )}
    </section>
  );
}
