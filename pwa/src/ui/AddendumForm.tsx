/**
 * Add a follow-up to a sealed visit (docs/aftercare.md): kit registered, evidence collected,
 * property recovered, a forensic result or a note, checked with the server's rules before it
 * goes anywhere. `onAdd` keeps it: on the phone a new `addenda` record queued in the outbox
 * (offline first), in the supervisor's workspace a POST. The visit's own fields never change.
 */

import { useState } from "preact/hooks";

import {
  ADDENDUM_KINDS,
  buildAddendum,
  EVIDENCE_KINDS,
  FORENSIC_OUTCOMES,
  FORENSIC_TYPES,
  type AddendumInput,
  type Option,
  type Problem,
} from "../aftercare/records";
import type { Fields } from "../model/types";
import { problemFor, ProblemText } from "./ProblemText";

function Select({ id, label, value, options, problems, field, empty, onChange }: {
  id: string; label: string; value: string; options: readonly Option[]; problems: Problem[]; field: string; empty: string; onChange: (v: string) => void;
}) {
  const error = problemFor(problems, field);
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      <select id={id} value={value} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{empty}</option>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
      <ProblemText id={`${id}-error`} problems={problems} field={field} />
    </div>
  );
}

export interface AddendumFormProps {
  visitId: string;
  /** The visit's kits and property items, as [id, label]. */
  kits: Option[];
  items: Option[];
  /** Keep the addendum; resolves to what to tell the user, or throws with the reason. */
  onAdd: (fields: Fields) => Promise<string>;
}

export function AddendumForm({ visitId, kits, items, onAdd }: AddendumFormProps) {
  const [input, setInput] = useState<AddendumInput>({ kind: "" });
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const set = (patch: Partial<AddendumInput>) => setInput((i) => ({ ...i, ...patch }));
  const id = (f: string) => `addendum-${f.replace(/_/g, "-")}`;
  const add = async () => {
    const built = buildAddendum(visitId, input);
    setProblems(built.problems);
    setSaved(null);
    if (built.fields === null) {
      document.getElementById(id(built.problems[0]!.field))?.focus();
      return;
    }
    try {
      setSaved(await onAdd(built.fields));
      setInput({ kind: "" });
    } catch (exc) {
      setProblems([{ field: "kind", message: exc instanceof Error ? exc.message : String(exc) }]);
    }
  };

  const text = problemFor(problems, "text");
  return (
    <fieldset class="card add-form">
      <legend>Add a follow-up</legend>
      <Select id={id("kind")} label="What happened" value={input.kind} options={ADDENDUM_KINDS} problems={problems} field="kind" empty="Choose…" onChange={(v) => set({ kind: v })} />
      {input.kind === "kit_registered" && (
        <Select id={id("kit_issue_id")} label="Kit registered" value={input.kit_issue_id ?? ""} options={kits} problems={problems} field="kit_issue_id" empty={kits.length ? "Choose the kit…" : "No kits on this visit"} onChange={(v) => set({ kit_issue_id: v })} />
      )}
      {input.kind === "evidence_collected" && (
        <Select id={id("evidence_kind")} label="Evidence" value={input.evidence_kind ?? ""} options={EVIDENCE_KINDS} problems={problems} field="evidence_kind" empty="Choose…" onChange={(v) => set({ evidence_kind: v })} />
      )}
      {input.kind === "property_recovered" && (
        <Select id={id("property_item_id")} label="Item recovered" value={input.property_item_id ?? ""} options={items} problems={problems} field="property_item_id" empty="Not on the list (describe it below)" onChange={(v) => set({ property_item_id: v })} />
      )}
      {input.kind === "forensic_result" && (
        <>
          <Select id={id("forensic_type")} label="Forensic opportunity" value={input.forensic_type ?? ""} options={FORENSIC_TYPES} problems={problems} field="forensic_type" empty="Choose…" onChange={(v) => set({ forensic_type: v })} />
          <Select id={id("forensic_outcome")} label="Result" value={input.forensic_outcome ?? ""} options={FORENSIC_OUTCOMES} problems={problems} field="forensic_outcome" empty="Choose…" onChange={(v) => set({ forensic_outcome: v })} />
        </>
      )}
      {(input.kind === "evidence_collected" || input.kind === "property_recovered") && (
        <div class="field">
          <label for={id("exhibit_reference")}>Exhibit reference (optional)</label>
          <input id={id("exhibit_reference")} type="text" maxLength={40} value={input.exhibit_reference ?? ""} onInput={(e) => set({ exhibit_reference: e.currentTarget.value })} />
          <ProblemText id={`${id("exhibit_reference")}-error`} problems={problems} field="exhibit_reference" />
        </div>
      )}
      <div class="field">
        <label for={id("occurred_at")}>When it happened (optional)</label>
        <input id={id("occurred_at")} type="datetime-local" value={input.occurred_at ?? ""} onInput={(e) => set({ occurred_at: e.currentTarget.value })} />
        <ProblemText id={`${id("occurred_at")}-error`} problems={problems} field="occurred_at" />
      </div>
      <div class={text ? "field invalid" : "field"}>
        <label for={id("text")}>{input.kind === "note" ? "Note" : "Details (optional)"}</label>
        <textarea id={id("text")} rows={3} maxLength={4000} value={input.text ?? ""} aria-invalid={text ? true : undefined} aria-describedby={text ? `${id("text")}-error` : undefined} onInput={(e) => set({ text: e.currentTarget.value })} />
        <ProblemText id={`${id("text")}-error`} problems={problems} field="text" />
      </div>
      <button type="button" class="primary" onClick={() => void add()}>Add follow-up</button>
      {problems.length > 0 && <p class="error" role="alert">Check the follow-up: {problems.map((p) => p.message).join("; ")}.</p>}
      {saved && <p class="note" role="status">{saved}</p>}
    </fieldset>
  );
}
