/**
 * A visit's aftercare as this phone holds it (pulled records plus the officer's own, queued or
 * synced): follow-ups, contacts with the victim, the survey answer and the leave-behinds given,
 * oldest first, each marked while it waits to sync.
 */

import {
  ADDENDUM_KINDS,
  CONTACT_METHODS,
  EVIDENCE_KINDS,
  FORENSIC_OUTCOMES,
  FORENSIC_TYPES,
  labelOf,
  SCORES,
  SURVEY_QUESTIONS,
} from "../aftercare/records";
import { LANGUAGE_NAMES, type LanguageCode } from "../aftercare/render";
import type { Fields, LocalRecord } from "../model/types";
import { formatTime } from "./hooks";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function when(r: LocalRecord, path: string): string {
  return formatTime(str(r.fields[path]) || str(r.fields["meta.recorded_at"]) || r.updated_at);
}

function addendumSummary(f: Fields, children: LocalRecord[]): string {
  const parts = [labelOf(ADDENDUM_KINDS, f["kind"])];
  if (f["kit_issue_id"]) {
    const kit = children.find((c) => c.id === f["kit_issue_id"]);
    parts.push(str(kit?.fields["kit_code"]) || "kit");
  }
  if (f["evidence_kind"]) parts.push(labelOf(EVIDENCE_KINDS, f["evidence_kind"]));
  if (f["forensic_type"]) parts.push(`${labelOf(FORENSIC_TYPES, f["forensic_type"])}: ${labelOf(FORENSIC_OUTCOMES, f["forensic_outcome"])}`);
  if (f["property_item_id"]) {
    const item = children.find((c) => c.id === f["property_item_id"]);
    parts.push(str(item?.fields["make_model"]) || str(item?.fields["description"]) || "item");
  }
  if (f["exhibit_reference"]) parts.push(`exhibit ${str(f["exhibit_reference"])}`);
  return parts.join(", ");
}

const DELIVERY: Record<string, string> = { none: "", queued: "email queued", sent: "emailed", failed: "email failed: print it instead" };

function Waiting({ r }: { r: LocalRecord }) {
  return r.pending > 0 ? <span class="sync-chip"> Waiting to sync</span> : null;
}

export function AftercareHistory({ children }: { children: LocalRecord[] }) {
  const of = (c: string) => children.filter((r) => r.collection === c).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  const addenda = of("addenda");
  const updates = of("victim_updates");
  const surveys = of("survey_responses");
  const given = of("leave_behinds");
  return (
    <section aria-labelledby="aftercare-history" class="aftercare-history">
      <h3 id="aftercare-history">History after the visit</h3>
      {addenda.length + updates.length + surveys.length + given.length === 0 && <p class="muted">Nothing recorded since the visit.</p>}
      {addenda.length > 0 && (
        <>
          <h4>Follow-ups</h4>
          <ul class="items" data-testid="addenda">
            {addenda.map((r) => (
              <li key={r.id} class="item">
                <strong>{addendumSummary(r.fields, children)}</strong> <span class="muted">{when(r, "occurred_at")}</span><Waiting r={r} />
                {str(r.fields["text"]) && <p>{str(r.fields["text"])}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
      {updates.length > 0 && (
        <>
          <h4>Contacts with the victim</h4>
          <ul class="items">
            {updates.map((r) => (
              <li key={r.id} class="item">
                <strong>{labelOf(CONTACT_METHODS, r.fields["method"])}</strong> <span class="muted">{when(r, "contacted_at")}</span><Waiting r={r} />
                <p>{str(r.fields["about"])}</p>
                <p class="muted">{r.fields["next_update_due"] ? `Next update due ${str(r.fields["next_update_due"])}` : "No further update planned"}</p>
              </li>
            ))}
          </ul>
        </>
      )}
      {surveys.map((r) => (
        <div key={r.id}>
          <h4>Survey answers{r.fields["meta.channel"] === "self" ? " (by the victim online)" : ""}</h4>
          <Waiting r={r} />
          <dl class="facts">
            {SURVEY_QUESTIONS.filter(([k]) => r.fields[k] != null).map(([k, q]) => (
              <div key={k}><dt>{q}</dt><dd>{labelOf(SCORES, String(r.fields[k]))}</dd></div>
            ))}
          </dl>
        </div>
      ))}
      {given.length > 0 && (
        <>
          <h4>Leave-behinds given</h4>
          <ul class="items">
            {given.map((r) => (
              <li key={r.id} class="item">
                {LANGUAGE_NAMES[r.fields["language"] as LanguageCode] ?? str(r.fields["language"])}, texts version {String(r.fields["content_version"] ?? "")}
                {r.fields["printed"] === true ? ", printed" : ""}
                {r.fields["email.requested"] === true ? `, to be emailed to ${str(r.fields["email.to"])}` : ""}
                {DELIVERY[str(r.fields["delivery.status"])] ? ` (${DELIVERY[str(r.fields["delivery.status"])]})` : ""}
                <span class="muted"> {when(r, "meta.recorded_at")}</span><Waiting r={r} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
