/** A labelled text input or text area with its hint and its error, tied together for screen readers. */

import { fieldId } from "./hooks";

export interface TextFieldProps {
  form: string;
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  type?: "text" | "tel" | "email" | "search" | undefined;
  required?: boolean | undefined;
  rows?: number | undefined;
  maxLength?: number | undefined;
  autocomplete?: string | undefined;
  list?: string | undefined;
}

export function TextField(p: TextFieldProps) {
  const id = fieldId(p.form, p.name);
  const described = [p.hint ? `${id}-hint` : "", p.error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: p.name,
    value: p.value,
    required: p.required,
    "aria-required": p.required ? ("true" as const) : undefined,
    "aria-invalid": p.error ? true : undefined,
    "aria-describedby": described,
    maxLength: p.maxLength,
  };
  return (
    <div class={p.error ? "field invalid" : "field"}>
      <label for={id}>{p.label}</label>
      {p.hint && <p class="hint" id={`${id}-hint`}>{p.hint}</p>}
      {p.rows ? (
        <textarea {...common} rows={p.rows} onInput={(e) => p.onInput(e.currentTarget.value)} />
      ) : (
        <input
          {...common}
          type={p.type ?? "text"}
          autocomplete={p.autocomplete ?? "off"}
          spellcheck={false}
          list={p.list}
          onInput={(e) => p.onInput(e.currentTarget.value)}
        />
      )}
      {p.error && <p class="error" id={`${id}-error`}>{p.error}</p>}
    </div>
  );
}
