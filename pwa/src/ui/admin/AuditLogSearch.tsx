/** Search the whole audit log (auditors): by action, record, account and dates, oldest first. */

import { useState } from "preact/hooks";

import { AUDIT_ACTIONS, byField, emptyAuditFilters, normaliseId, type AuditFilters, type AuditPage, type FieldProblem } from "../../admin-api";
import { useFocusHeading } from "../supervisor/hooks";
import { AuditTable } from "./AuditTable";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

const LABELS: Record<string, string> = {
  action: "What",
  record_type: "Record type",
  record_id: "Record id",
  actor_id: "Account id",
  date_from: "From (date)",
  date_to: "To (date, inclusive)",
};

export function AuditLogSearch() {
  const api = useAdminApi();
  const [form, setForm] = useState<AuditFilters>(emptyAuditFilters());
  const [page, setPage] = useState<AuditPage | null>(null);
  const [asked, setAsked] = useState<AuditFilters | null>(null);
  const action = useAction("log");
  const errors = byField(action.problems);
  useFocusHeading("audit-log-title", "once");
  const set = (key: keyof AuditFilters) => (v: string) => setForm((f) => ({ ...f, [key]: v }));

  const search = async (e: Event) => {
    e.preventDefault();
    const found: FieldProblem[] = [];
    if (form.record_type.trim() && !/^[a-z_]{1,40}$/.test(form.record_type.trim())) found.push({ field: "record_type", message: "Lower-case letters and _ only, for example visits" });
    if (form.actor_id.trim() && !normaliseId(form.actor_id)) found.push({ field: "actor_id", message: "An account id, as the officer's page shows it" });
    for (const key of ["date_from", "date_to"] as const) if (form[key] && !/^\d{4}-\d{2}-\d{2}$/.test(form[key])) found.push({ field: key, message: "Enter a date" });
    if (form.date_from && form.date_to && form.date_to < form.date_from) found.push({ field: "date_to", message: "The end date must be the same as or after the start date" });
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem("log", found), 0);
      return;
    }
    const got = await action.run(() => api.auditLog(form));
    if (got) {
      setPage(got);
      setAsked(form);
    }
  };
  const more = async () => {
    if (!page?.next_cursor || !asked) return;
    const got = await action.run(() => api.auditLog(asked, page.next_cursor));
    if (got) setPage({ rows: [...page.rows, ...got.rows], next_cursor: got.next_cursor });
  };
  const date = (key: "date_from" | "date_to") => (
    <div class={errors[key] ? "field invalid" : "field"}>
      <label for={`log-${key.replace("_", "-")}`}>{LABELS[key]}</label>
      <input
        id={`log-${key.replace("_", "-")}`}
        type="date"
        value={form[key]}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] ? `log-${key.replace("_", "-")}-error` : undefined}
        onInput={(e) => set(key)(e.currentTarget.value)}
      />
      {errors[key] && <p class="error" id={`log-${key.replace("_", "-")}-error`}>{errors[key]}</p>}
    </div>
  );
  return (
    <section aria-labelledby="audit-log-title">
      <h1 id="audit-log-title" tabIndex={-1}>Search the audit log</h1>
      <form class="sup-filters" aria-label="Audit log filters" onSubmit={(e) => void search(e)} noValidate>
        <FormProblems form="log" action={action} labels={LABELS} what="The search was not run" />
        <div class="admin-grid">
          <SelectField form="log" name="action" label={LABELS["action"]!} value={form.action} onChange={set("action")} placeholder="Anything" choices={Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label }))} error={errors["action"]} />
          <TextField form="log" name="record_type" label={LABELS["record_type"]!} hint="For example visits, photos, officers" value={form.record_type} onInput={set("record_type")} error={errors["record_type"]} />
          <TextField form="log" name="record_id" label={LABELS["record_id"]!} value={form.record_id} onInput={set("record_id")} error={errors["record_id"]} maxLength={64} />
          <TextField form="log" name="actor_id" label={LABELS["actor_id"]!} hint="Who acted" value={form.actor_id} onInput={set("actor_id")} error={errors["actor_id"]} />
          {date("date_from")}
          {date("date_to")}
        </div>
        <button type="submit" disabled={action.busy}>Search</button>
      </form>
      {page && (
        <>
          <AuditTable id="audit-log" caption={`${page.rows.length} ${page.rows.length === 1 ? "entry" : "entries"}${page.next_cursor ? " so far" : ""}, oldest first`} rows={page.rows} />
          {page.next_cursor && (
            <button type="button" class="secondary" disabled={action.busy} onClick={() => void more()}>Show more entries</button>
          )}
        </>
      )}
    </section>
  );
}
