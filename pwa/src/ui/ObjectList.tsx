/**
 * A list of small objects kept as one leaf value (digital evidence sources, house-to-house
 * calls, witnesses). New entries are typed into a form whose text is kept on the device as a
 * draft until "Add" puts the entry in the list; an entry can be taken back into the form to edit.
 */

import { useEffect, useRef, useState } from "preact/hooks";

import type { Option } from "../model/fields";
import type { LocalRecord } from "../model/types";
import type { JSONValue } from "../sync";
import { useApp } from "./hooks";

export interface SubField {
  key: string;
  label: string;
  kind: "text" | "textarea" | "select" | "check";
  options?: readonly Option[];
  required?: boolean;
  max?: number;
}

export interface ObjectListProps {
  visit: LocalRecord;
  path: string;
  title: string;
  itemName: string;
  fields: readonly SubField[];
  drafts: Record<string, string>;
  locked: boolean;
  /** One line describing an entry. */
  summary: (item: Record<string, JSONValue>) => string;
}

type Form = Record<string, string | boolean>;

export function ObjectList({ visit, path, title, itemName, fields, drafts, locked, summary }: ObjectListProps) {
  const app = useApp();
  const draftKey = `${path}#new`;
  const items = (Array.isArray(visit.fields[path]) ? visit.fields[path] : []) as Record<string, JSONValue>[];
  const saved = drafts[draftKey];
  const [form, setForm] = useState<Form>(() => (saved ? (JSON.parse(saved) as Form) : {}));
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const base = `f-${visit.id.slice(0, 8)}-${path.replace(/\./g, "-")}`;

  useEffect(() => {
    if (saved && Object.keys(form).length === 0) setForm(JSON.parse(saved) as Form);
  }, [saved]);

  const persist = (next: Form) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const empty = Object.values(next).every((v) => v === "" || v === false);
      void (empty ? app.store.drafts.clear("visits", visit.id, draftKey) : app.store.drafts.set("visits", visit.id, draftKey, JSON.stringify(next)));
    }, 300);
  };
  const update = (key: string, value: string | boolean) => {
    const next = { ...form, [key]: value };
    setForm(next);
    persist(next);
  };

  const add = async () => {
    const missing = fields.filter((f) => f.required && !String(form[f.key] ?? "").trim());
    if (missing.length > 0) {
      setError(`Fill in: ${missing.map((f) => f.label).join(", ")}`);
      return;
    }
    const item: Record<string, JSONValue> = {};
    for (const f of fields) {
      const v = form[f.key];
      if (f.kind === "check") item[f.key] = v === true;
      else if (typeof v === "string" && v.trim() !== "") item[f.key] = f.kind === "textarea" ? v : v.trim();
      else if (!f.required) item[f.key] = null;
    }
    setError(null);
    if (timer.current) clearTimeout(timer.current);
    await app.edit({ collection: "visits", id: visit.id, visit_id: visit.id, fields: { [path]: [...items, item] } });
    await app.store.drafts.clear("visits", visit.id, draftKey);
    setForm({});
  };

  const remove = (index: number) =>
    app.edit({ collection: "visits", id: visit.id, visit_id: visit.id, fields: { [path]: items.filter((_, i) => i !== index) } });

  const edit = async (index: number) => {
    const item = items[index] ?? {};
    const next: Form = {};
    for (const f of fields) next[f.key] = f.kind === "check" ? item[f.key] === true : String(item[f.key] ?? "");
    await app.store.drafts.set("visits", visit.id, draftKey, JSON.stringify(next));
    setForm(next);
    await remove(index);
  };

  return (
    <section class="object-list" aria-labelledby={`${base}-title`}>
      <h3 id={`${base}-title`}>{title}</h3>
      {items.length === 0 ? (
        <p class="muted">None recorded.</p>
      ) : (
        <ul class="items">
          {items.map((item, i) => (
            <li key={i} class="item">
              <span>{summary(item)}</span>
              {!locked && (
                <span class="item-actions">
                  <button type="button" class="secondary" onClick={() => void edit(i)}>
                    Edit<span class="visually-hidden"> {itemName} {i + 1}</span>
                  </button>
                  <button type="button" class="secondary danger" onClick={() => void remove(i)}>
                    Remove<span class="visually-hidden"> {itemName} {i + 1}</span>
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {!locked && (
        <fieldset class="add-form">
          <legend>New {itemName}</legend>
          {fields.map((f) => {
            const id = `${base}-new-${f.key}`;
            const label = `${f.label}${f.required ? "" : " (optional)"}`;
            if (f.kind === "check") {
              return (
                <label key={f.key} class="choice-item">
                  <input type="checkbox" checked={form[f.key] === true} onChange={(e) => update(f.key, e.currentTarget.checked)} />
                  {f.label}
                </label>
              );
            }
            return (
              <div key={f.key} class="field">
                <label for={id}>{label}</label>
                {f.kind === "select" ? (
                  <select id={id} value={String(form[f.key] ?? "")} onChange={(e) => update(f.key, e.currentTarget.value)}>
                    <option value="">Choose…</option>
                    {(f.options ?? []).map(([v, l]) => (
                      <option key={v} value={v}>{l}</option>
                    ))}
                  </select>
                ) : f.kind === "textarea" ? (
                  <textarea id={id} rows={2} maxLength={f.max ?? 4000} value={String(form[f.key] ?? "")} onInput={(e) => update(f.key, e.currentTarget.value)} />
                ) : (
                  <input id={id} type="text" maxLength={f.max ?? 200} value={String(form[f.key] ?? "")} onInput={(e) => update(f.key, e.currentTarget.value)} />
                )}
              </div>
            );
          })}
          {error && <p class="error" role="alert">{error}</p>}
          <button type="button" onClick={() => void add()}>
            Add {itemName}
          </button>
        </fieldset>
      )}
    </section>
  );
}
