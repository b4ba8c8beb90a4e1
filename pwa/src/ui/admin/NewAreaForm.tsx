/** Create an area. */

import { useState } from "preact/hooks";

import { byField, type Area } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { TextField } from "./TextField";

const LABELS = { name: "Area name" };

export function NewAreaForm({ onCreated }: { onCreated: (a: Area) => void }) {
  const api = useAdminApi();
  const [name, setName] = useState("");
  const action = useAction("area");
  const errors = byField(action.problems);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) {
      const found = [{ field: "name", message: "Enter the area's name" }];
      action.setProblems(found);
      setTimeout(() => focusProblem("area", found), 0);
      return;
    }
    const area = await action.run(() => api.createArea(name));
    if (area) {
      setName("");
      onCreated(area);
    }
  };
  return (
    <form class="sup-filters" aria-labelledby="admin-new-area-title" onSubmit={(e) => void submit(e)} noValidate>
      <h3 id="admin-new-area-title">New area</h3>
      <FormProblems form="area" action={action} labels={LABELS} what="The area was not created" />
      <TextField form="area" name="name" label={LABELS.name} value={name} onInput={setName} error={errors["name"]} required maxLength={120} />
      <button type="submit" disabled={action.busy}>Create the area</button>
    </form>
  );
}
