/**
 * One field of a record, saved as it changes: text is saved 400 ms after the last keystroke and
 * at once on blur, on leaving the page or the app going to the background. A value that does
 * not pass the check is kept as a draft on the device (never lost) and shown with its error.
 */

import { useEffect, useRef, useState } from "preact/hooks";

import type { FieldDef } from "../model/fields";
import type { CollectionName } from "../model/types";
import { sameInstant, toLocalInput, checkLocalDateTime, checkPounds, type Check } from "../model/validate";
import type { JSONValue } from "../sync";
import { useApp } from "./hooks";
import { inputId } from "../model/fields";

export interface FieldProps {
  collection: CollectionName;
  recordId: string;
  visitId: string;
  def: FieldDef;
  value: JSONValue | undefined;
  draft?: string | undefined;
  disabled?: boolean;
  /** Label override (e.g. numbered child records). */
  label?: string;
}

const DEBOUNCE_MS = 400;

function display(def: FieldDef, value: JSONValue | undefined): string {
  if (value === null || value === undefined) return "";
  if (def.kind === "datetime") return toLocalInput(value);
  if (def.kind === "pounds") return typeof value === "number" ? (value / 100).toFixed(2).replace(/\.00$/, "") : "";
  if (def.kind === "tags") return Array.isArray(value) ? value.join(", ") : "";
  return String(value);
}

function same(def: FieldDef, a: JSONValue | undefined, b: JSONValue | undefined): boolean {
  if (def.kind === "datetime") return sameInstant(a, b);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function Field({ collection, recordId, visitId, def, value, draft, disabled, label }: FieldProps) {
  const app = useApp();
  const id = inputId(recordId, def.path);
  const [text, setText] = useState(draft ?? display(def, value));
  const [error, setError] = useState<string | null>(null);
  const dirty = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ text, value });
  latest.current = { text, value };
  const ctx = { crimeReferencePattern: app.session.profile?.settings.crime_reference_pattern ?? "" };

  // Show changes that arrive from a pull or another tab, unless the officer is typing here.
  useEffect(() => {
    if (!dirty.current) setText(draft ?? display(def, value));
    if (draft === undefined) setError(null);
  }, [value, draft]);

  const check = (t: string): Check => {
    if (t.trim() === "") return { ok: true, value: def.kind === "tags" ? [] : null };
    if (def.kind === "datetime") return checkLocalDateTime(t);
    if (def.kind === "pounds") return checkPounds(t);
    if (def.kind === "tags") {
      const rooms = t.split(",").map((s) => s.trim()).filter(Boolean);
      if (rooms.length > 30 || rooms.some((r) => r.length > 60)) return { ok: false, error: "Up to 30 rooms of 60 characters" };
      return { ok: true, value: rooms };
    }
    return def.check ? def.check(t, { crimeReferencePattern: ctx.crimeReferencePattern || "[A-Z0-9][A-Z0-9/\\-]{3,29}" }) : { ok: true, value: t };
  };

  const save = async (): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (!dirty.current) return;
    dirty.current = false;
    const t = latest.current.text;
    const result = check(t);
    if (!result.ok) {
      setError(result.error);
      await app.store.drafts.set(collection, recordId, def.path, t);
      app.changed(false);
      return;
    }
    setError(null);
    if (same(def, result.value, latest.current.value) && draft === undefined) return;
    await app.edit({ collection, id: recordId, visit_id: visitId, fields: { [def.path]: result.value } });
  };

  useEffect(() => {
    const flush = () => save();
    app.flushers.add(flush);
    return () => {
      app.flushers.delete(flush);
      save().catch(() => undefined);
    };
  }, [app, collection, recordId, def.path]);

  const onText = (t: string) => {
    setText(t);
    dirty.current = true;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), DEBOUNCE_MS);
  };

  const onBlur = async () => {
    await save();
    const r = check(latest.current.text);
    // Show the value as it is stored (SW1A1AA -> SW1A 1AA).
    if (r.ok && !dirty.current) setText(display(def, r.value));
  };

  // What the officer just chose, shown at once and used as the base of the next tap, until the
  // stored record catches up: two quick taps must both count, and a tick must not flicker.
  const chosen = useRef<{ value: JSONValue; seen: JSONValue | undefined } | null>(null);
  if (chosen.current && JSON.stringify(chosen.current.seen ?? null) !== JSON.stringify(value ?? null)) chosen.current = null;
  const current = (chosen.current ? chosen.current.value : value) as JSONValue | undefined;
  const [, rerender] = useState(0);
  const setNow = (v: JSONValue) => {
    chosen.current = { value: v, seen: value };
    rerender((n) => n + 1);
    return app.edit({ collection, id: recordId, visit_id: visitId, fields: { [def.path]: v } });
  };
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [def.hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  const labelText = label ?? def.label;

  if (def.kind === "select") {
    return (
      <div class="field">
        <label for={id}>{labelText}</label>
        <select id={id} disabled={disabled} value={typeof value === "string" ? value : ""} onChange={(e) => void setNow((e.currentTarget.value || null) as JSONValue)}>
          <option value="">Not recorded</option>
          {(def.options ?? []).map(([v, l]) => (
            <option key={v} value={v}>{l}</option>
          ))}
        </select>
      </div>
    );
  }

  if (def.kind === "yesno") {
    return (
      <fieldset class="field choice" id={id} tabIndex={-1}>
        <legend>{labelText}</legend>
        <div class="choices">
          {([true, false] as const).map((v) => (
            <label key={String(v)} class="choice-item">
              <input type="radio" name={id} disabled={disabled} checked={current === v} onChange={() => void setNow(v)} />
              {v ? "Yes" : "No"}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }

  if (def.kind === "multi") {
    const list = Array.isArray(current) ? (current as string[]) : [];
    const toggle = (v: string, on: boolean) => {
      const next = (def.options ?? []).map(([o]) => o).filter((o) => (o === v ? on : list.includes(o)));
      void setNow(next);
    };
    return (
      <fieldset class="field choice" id={id} tabIndex={-1}>
        <legend>{labelText}</legend>
        <div class="choices">
          {(def.options ?? []).map(([v, l]) => (
            <label key={v} class="choice-item">
              <input type="checkbox" disabled={disabled} checked={list.includes(v)} onChange={(e) => toggle(v, e.currentTarget.checked)} />
              {l}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }

  const common = {
    id,
    disabled,
    value: text,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    onInput: (e: Event) => onText((e.currentTarget as HTMLInputElement).value),
    onBlur: () => void onBlur(),
  };
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{labelText}</label>
      {def.hint && <p class="hint" id={hintId}>{def.hint}</p>}
      {def.kind === "textarea" ? (
        <textarea {...common} rows={3} />
      ) : def.kind === "datetime" ? (
        <div class="row">
          <input {...common} type="datetime-local" />
          {!disabled && (
            <button type="button" class="secondary" onClick={() => { setText(toLocalInput(new Date().toISOString())); void setNow(new Date().toISOString()); }}>
              Now<span class="visually-hidden"> for {labelText}</span>
            </button>
          )}
        </div>
      ) : (
        <input {...common} type="text" inputMode={def.inputMode ?? (def.kind === "pounds" ? "decimal" : "text")} autocomplete={def.autocomplete ?? "off"} spellcheck={false} />
      )}
      {error && <p class="error" id={errorId} role="alert">{error}</p>}
    </div>
  );
}
