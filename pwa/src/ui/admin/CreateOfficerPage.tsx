/** Create an account; its one-time enrolment code is issued and shown once. */

import { useState } from "preact/hooks";

import { byField, checkOfficer, emptyOfficerForm, ROLES, SCOPES, type AdminOfficer, type EnrolmentCode, type OfficerForm, type Role, type Scope } from "../../admin-api";
import { useFocusHeading, useRemote } from "../supervisor/hooks";
import { EnrolmentCodeBox } from "./EnrolmentCodeBox";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

export const OFFICER_LABELS: Record<string, string> = {
  collar_number: "Collar number",
  display_name: "Name shown in the app",
  role: "Role",
  team: "Team",
  area: "Area",
  supervision_scope: "Supervises",
  contact_phone: "Contact phone (leave-behind)",
  contact_email: "Contact e-mail (leave-behind)",
};

export function CreateOfficerPage() {
  const api = useAdminApi();
  const teams = useRemote(() => api.teams(), []);
  const areas = useRemote(() => api.areas(), []);
  const [form, setForm] = useState<OfficerForm>(emptyOfficerForm());
  const [created, setCreated] = useState<AdminOfficer | null>(null);
  const [code, setCode] = useState<EnrolmentCode | null>(null);
  const action = useAction("new");
  useFocusHeading("admin-new-title", "once");
  const errors = byField(action.problems);
  const set = <K extends keyof OfficerForm>(key: K, value: OfficerForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    const found = checkOfficer(form);
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem("new", found), 0);
      return;
    }
    const officer = await action.run(() => api.createOfficer(form));
    if (!officer) return;
    setCreated(officer);
    setForm(emptyOfficerForm());
    // An account is no use without a way to enrol: issue its code now (shown once).
    const issued = await action.run(() => api.enrolmentCode(officer.id));
    if (issued) setCode(issued);
  };

  const field = (name: keyof OfficerForm, hint?: string, type?: "text" | "tel" | "email", list?: string) => (
    <TextField
      form="new"
      name={name}
      label={OFFICER_LABELS[name]!}
      value={form[name]}
      onInput={(v) => set(name, v as never)}
      hint={hint}
      error={errors[name]}
      type={type}
      required={name === "collar_number" || name === "display_name" || name === "team"}
      list={list}
    />
  );

  return (
    <section aria-labelledby="admin-new-title">
      <p><a href="#/admin/officers">Back to officers</a></p>
      <h1 id="admin-new-title" tabIndex={-1}>Create an officer</h1>
      {created && (
        <div class="admin-done">
          <p class="note" role="status">
            Created <a href={`#/admin/officers/${created.id}`}>{created.display_name} ({created.collar_number})</a>, {created.team_name},{" "}
            {created.area_name}.
          </p>
          {code && <EnrolmentCodeBox code={code} who={`${created.display_name} (${created.collar_number})`} onDone={() => setCode(null)} />}
        </div>
      )}
      <form class="sup-filters" aria-labelledby="admin-new-form-title" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="admin-new-form-title">The account</h2>
        <FormProblems form="new" action={action} labels={OFFICER_LABELS} what="The officer was not created" />
        <div class="admin-grid">
          {field("collar_number", "Letters and digits, up to 20")}
          {field("display_name", "For example PC Sam Patel")}
          <SelectField form="new" name="role" label="Role" value={form.role} onChange={(v) => set("role", v as Role)} choices={ROLES} error={errors["role"]} />
          {form.role === "supervisor" && (
            <SelectField form="new" name="supervision_scope" label={OFFICER_LABELS["supervision_scope"]!} value={form.supervision_scope} onChange={(v) => set("supervision_scope", v as Scope)} choices={SCOPES} error={errors["supervision_scope"]} />
          )}
          {field("team", "An existing team, or a new one (created with the account)", "text", "new-teams")}
          {field("area", "Only for a new team: its area (created if new). Leave empty for an existing team.", "text", "new-areas")}
          {field("contact_phone", "Printed on the victim's leave-behind. Optional.", "tel")}
          {field("contact_email", "Printed on the victim's leave-behind. Optional.", "email")}
        </div>
        <datalist id="new-teams">
          {(teams.data?.teams ?? []).map((t) => <option key={t.id} value={t.name} />)}
        </datalist>
        <datalist id="new-areas">
          {(areas.data?.areas ?? []).map((a) => <option key={a.id} value={a.name} />)}
        </datalist>
        <div class="sup-actions">
          <button type="submit" disabled={action.busy}>Create the officer</button>
        </div>
      </form>
    </section>
  );
}
