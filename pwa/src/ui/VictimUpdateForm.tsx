/**
 * Record one contact with the victim (Victims' Code: kept informed): when, how, what about, and
 * when the next update is due. A new `victim_updates` record, queued offline like any edit.
 */

import { useState } from "preact/hooks";

import { buildVictimUpdate, CONTACT_METHODS, type Problem, type VictimUpdateInput } from "../aftercare/records";
import type { LocalRecord } from "../model/types";
import { toLocalInput } from "../model/validate";
import { useApp } from "./hooks";
import { problemFor, ProblemText } from "./ProblemText";

const fresh = (): VictimUpdateInput => ({ contacted_at: toLocalInput(new Date().toISOString()), method: "", about: "", next_update_due: "" });

export function VictimUpdateForm({ visit }: { visit: LocalRecord }) {
  const app = useApp();
  const [input, setInput] = useState<VictimUpdateInput>(fresh);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const set = (patch: Partial<VictimUpdateInput>) => setInput((i) => ({ ...i, ...patch }));
  const id = (f: string) => `update-${f.replace(/_/g, "-")}`;
  const invalid = (f: string) => (problemFor(problems, f) ? { "aria-invalid": true, "aria-describedby": `${id(f)}-error` } : {});

  const add = async () => {
    const built = buildVictimUpdate(visit.id, input);
    setProblems(built.problems);
    setSaved(null);
    if (built.fields === null) {
      document.getElementById(id(built.problems[0]!.field))?.focus();
      return;
    }
    await app.edit({ collection: "victim_updates", id: crypto.randomUUID(), visit_id: visit.id, fields: built.fields, coalesce: false });
    setInput(fresh());
    setSaved("Contact recorded. It syncs with your other changes.");
  };

  return (
    <fieldset class="card add-form">
      <legend>Record a contact with the victim</legend>
      <div class="field">
        <label for={id("contacted_at")}>When</label>
        <input id={id("contacted_at")} type="datetime-local" value={input.contacted_at} {...invalid("contacted_at")} onInput={(e) => set({ contacted_at: e.currentTarget.value })} />
        <ProblemText id={`${id("contacted_at")}-error`} problems={problems} field="contacted_at" />
      </div>
      <fieldset class="field choice" id={id("method")} tabIndex={-1}>
        <legend>How</legend>
        <div class="choices">
          {CONTACT_METHODS.map(([v, l]) => (
            <label key={v} class="choice-item">
              <input type="radio" name="update-method" checked={input.method === v} onChange={() => set({ method: v })} />
              {l}
            </label>
          ))}
        </div>
        <ProblemText id={`${id("method")}-error`} problems={problems} field="method" />
      </fieldset>
      <div class="field">
        <label for={id("about")}>What it was about</label>
        <textarea id={id("about")} rows={3} maxLength={4000} value={input.about} {...invalid("about")} onInput={(e) => set({ about: e.currentTarget.value })} />
        <ProblemText id={`${id("about")}-error`} problems={problems} field="about" />
      </div>
      <div class="field">
        <label for={id("next_update_due")}>Next update due (leave empty if none is planned)</label>
        <input id={id("next_update_due")} type="date" value={input.next_update_due} {...invalid("next_update_due")} onInput={(e) => set({ next_update_due: e.currentTarget.value })} />
        <ProblemText id={`${id("next_update_due")}-error`} problems={problems} field="next_update_due" />
      </div>
      <button type="button" class="primary" onClick={() => void add()}>Record contact</button>
      {problems.length > 0 && <p class="error" role="alert">Check the contact: {problems.map((p) => p.message).join("; ")}.</p>}
      {saved && <p class="note" role="status">{saved}</p>}
    </fieldset>
  );
}
