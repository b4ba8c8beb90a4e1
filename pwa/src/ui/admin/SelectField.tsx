/** A labelled select with an optional hint and error. */

import { fieldId } from "./hooks";

export interface SelectFieldProps {
  form: string;
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  choices: Array<{ value: string; label: string }>;
  hint?: string | undefined;
  error?: string | undefined;
  placeholder?: string | undefined;
}

export function SelectField(p: SelectFieldProps) {
  const id = fieldId(p.form, p.name);
  const described = [p.hint ? `${id}-hint` : "", p.error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={p.error ? "field invalid" : "field"}>
      <label for={id}>{p.label}</label>
      {p.hint && <p class="hint" id={`${id}-hint`}>{p.hint}</p>}
      <select
        id={id}
        name={p.name}
        value={p.value}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => p.onChange(e.currentTarget.value)}
      >
        {p.placeholder !== undefined && <option value="">{p.placeholder}</option>}
        {p.choices.map((c) => (
          <option key={c.value} value={c.value}>{c.label}</option>
        ))}
      </select>
      {p.error && <p class="error" id={`${id}-error`}>{p.error}</p>}
    </div>
  );
}
