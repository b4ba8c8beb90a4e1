/** Add an advice item (version 1) or publish the next version of one (ticks keep theirs). */

import { useState } from "preact/hooks";

import { adviceBody, adviceFormOf, byField, checkAdvice, emptyAdviceForm, type AdviceForm, type AdviceVersion } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { TextField } from "./TextField";

export const ADVICE_LABELS: Record<string, string> = {
  item_id: "Item id",
  category: "Category",
  title: "Title",
  body: "Advice text",
  tags: "Tags",
  position: "Position in the list",
};

export function AdviceItemForm({ before, onSaved, onCancel }: { before: AdviceVersion | null; onSaved: (v: AdviceVersion) => void; onCancel?: () => void }) {
  const api = useAdminApi();
  const form = before ? `advice-${before.item_id}` : "advice-new";
  const [value, setValue] = useState<AdviceForm>(before ? adviceFormOf(before) : emptyAdviceForm());
  const action = useAction(form);
  const errors = byField(action.problems);
  const set = (key: keyof AdviceForm) => (v: string) => setValue((f) => ({ ...f, [key]: v }));
  const submit = async (e: Event) => {
    e.preventDefault();
    const found = checkAdvice(value, before === null);
    if (before && found.length === 0 && Object.keys(adviceBody(value, before)).length === 0) found.push({ field: "", message: "Nothing has changed" });
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem(form, found), 0);
      return;
    }
    const saved = await action.run(() => (before ? api.editAdvice(before, value) : api.addAdvice(value)));
    if (saved) {
      if (!before) setValue(emptyAdviceForm());
      onSaved(saved);
    }
  };
  const field = (name: keyof AdviceForm, hint?: string, rows?: number, required = false) => (
    <TextField form={form} name={name} label={ADVICE_LABELS[name]!} hint={hint} rows={rows} value={value[name]} onInput={set(name)} error={errors[name]} required={required} />
  );
  return (
    <form class="admin-advice-form" onSubmit={(e) => void submit(e)} noValidate aria-label={before ? `Edit ${before.title}` : "Add an advice item"}>
      <FormProblems form={form} action={action} labels={ADVICE_LABELS} what={before ? "No new version published" : "The item was not added"} />
      <div class="admin-grid">
        {!before && field("item_id", "Optional: lower-case letters, digits, - and _; made from the title if empty")}
        {field("category", "For example Doors, Windows, Garden", undefined, true)}
        {field("title", "What the officer ticks, up to 160 characters", undefined, true)}
        {field("tags", "Optional, separated by commas, for example doors, locks")}
        {field("position", "Optional: a number; lower comes first")}
      </div>
      {field("body", "What the victim is told, up to 2,000 characters", 4, true)}
      <div class="sup-actions">
        <button type="submit" disabled={action.busy}>{before ? "Publish a new version" : "Add the item"}</button>
        {onCancel && <button type="button" class="secondary" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
