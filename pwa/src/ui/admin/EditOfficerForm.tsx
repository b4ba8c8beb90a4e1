/** Edit an account: name, the contact details the victim's leave-behind shows, role and scope. */

import { useEffect, useState } from "preact/hooks";

import { byField, checkEdit, editChanges, editOf, ROLES, SCOPES, type AdminOfficer, type OfficerEdit, type Role, type Scope } from "../../admin-api";
import { OFFICER_LABELS } from "./CreateOfficerPage";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

export function EditOfficerForm({ officer, onSaved }: { officer: AdminOfficer; onSaved: (o: AdminOfficer) => void }) {
  const api = useAdminApi();
  const [form, setForm] = useState<OfficerEdit>(editOf(officer));
  const [saved, setSaved] = useState(false);
  const action = useAction("edit");
  useEffect(() => setForm(editOf(officer)), [officer]);
  const errors = byField(action.problems);
  const set = <K extends keyof OfficerEdit>(key: K, value: OfficerEdit[K]) => {
    setSaved(false);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const found = checkEdit(form);
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem("edit", found), 0);
      return;
    }
    const changes = editChanges(officer, form);
    if (Object.keys(changes).length === 0) {
      action.setProblems([{ field: "", message: "Nothing has changed" }]);
      return;
    }
    const done = await action.run(() => api.editOfficer(officer.id, changes));
    if (done) {
      setSaved(true);
      onSaved(done);
    }
  };
  return (
    <section class="sup-section" aria-labelledby="admin-edit-title">
      <h2 id="admin-edit-title">Edit the account</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormProblems form="edit" action={action} labels={OFFICER_LABELS} what="Not saved" />
        <div class="admin-grid">
          <TextField form="edit" name="display_name" label={OFFICER_LABELS["display_name"]!} value={form.display_name} onInput={(v) => set("display_name", v)} error={errors["display_name"]} required />
          <TextField form="edit" name="contact_phone" label={OFFICER_LABELS["contact_phone"]!} hint="Printed on the victim's leave-behind; empty for none" type="tel" value={form.contact_phone} onInput={(v) => set("contact_phone", v)} error={errors["contact_phone"]} />
          <TextField form="edit" name="contact_email" label={OFFICER_LABELS["contact_email"]!} hint="Printed on the victim's leave-behind; empty for none" type="email" value={form.contact_email} onInput={(v) => set("contact_email", v)} error={errors["contact_email"]} />
          <SelectField form="edit" name="role" label="Role" value={form.role} onChange={(v) => set("role", v as Role)} choices={ROLES} error={errors["role"]} />
          {form.role === "supervisor" && (
            <SelectField form="edit" name="supervision_scope" label={OFFICER_LABELS["supervision_scope"]!} value={form.supervision_scope} onChange={(v) => set("supervision_scope", v as Scope)} choices={SCOPES} error={errors["supervision_scope"]} />
          )}
        </div>
        <div class="sup-actions">
          <button type="submit" disabled={action.busy}>Save changes</button>
        </div>
        {saved && <p class="note" role="status">Saved. Their phone shows the new details after its next sync.</p>}
      </form>
    </section>
  );
}
