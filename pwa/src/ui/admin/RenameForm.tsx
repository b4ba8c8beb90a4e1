/** Rename a team or an area: a button that opens a one-field form. */

import { useState } from "preact/hooks";

import { byField } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction } from "./hooks";
import { TextField } from "./TextField";

export function RenameForm({ form, what, name, save }: { form: string; what: string; name: string; save: (name: string) => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(name);
  const action = useAction(form);
  const errors = byField(action.problems);
  const label = `New name for ${what} ${name}`;
  if (!open) {
    return (
      <button type="button" class="secondary admin-small" aria-label={`Rename ${what} ${name}`} onClick={() => { setValue(name); setOpen(true); setTimeout(() => document.getElementById(`${form}-name`)?.focus(), 0); }}>
        Rename
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!value.trim() || value.trim().length > 120) {
      const found = [{ field: "name", message: value.trim() ? "Up to 120 characters" : "Enter the new name" }];
      action.setProblems(found);
      setTimeout(() => focusProblem(form, found), 0);
      return;
    }
    const ok = await action.run(async () => {
      await save(value);
      return true;
    });
    if (ok) setOpen(false);
  };
  return (
    <form class="admin-inline" onSubmit={(e) => void submit(e)} noValidate>
      <FormProblems form={form} action={action} labels={{ name: label }} what="Not renamed" />
      <TextField form={form} name="name" label={label} value={value} onInput={setValue} error={errors["name"]} required maxLength={120} />
      <div class="sup-actions">
        <button type="submit" disabled={action.busy}>Save the name</button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}
