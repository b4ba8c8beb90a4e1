/**
 * A visit's aftercare on the supervisor's visit page: follow-ups (addenda) with who added them,
 * contacts with the victim and when the next update is due, the survey answer and its channel,
 * and each leave-behind given with its language, version and email delivery. Supervisors add
 * follow-ups to a completed or approved visit here, online (POST /api/visits/{id}/addenda).
 */

import { useMemo } from "preact/hooks";

import { AftercareApi, type AftercareRecord } from "../../aftercare-api";
import {
  ADDENDUM_KINDS,
  CONTACT_METHODS,
  EVIDENCE_KINDS,
  FORENSIC_OUTCOMES,
  FORENSIC_TYPES,
  labelOf,
  SCORES,
  SURVEY_QUESTIONS,
  acceptsAddenda,
  type Option,
} from "../../aftercare/records";
import { LANGUAGE_NAMES, type LanguageCode } from "../../aftercare/render";
import type { Fields } from "../../model/types";
import { errorMessage, formatDateTime, type ChildRecord, type VisitDetail } from "../../supervisor-api";
import { AddendumForm } from "../AddendumForm";
import { useApp } from "../hooks";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function by(r: AftercareRecord): string {
  return `${r.author ? `${r.author.display_name} (${r.author.collar_number})` : "Unknown"}, ${formatDateTime(r.recorded_at)}`;
}

function addendumText(f: Record<string, unknown>): string {
  const parts = [labelOf(ADDENDUM_KINDS, f["kind"])];
  if (f["evidence_kind"]) parts.push(labelOf(EVIDENCE_KINDS, f["evidence_kind"]));
  if (f["forensic_type"]) parts.push(`${labelOf(FORENSIC_TYPES, f["forensic_type"])}: ${labelOf(FORENSIC_OUTCOMES, f["forensic_outcome"])}`);
  if (f["exhibit_reference"]) parts.push(`exhibit ${str(f["exhibit_reference"])}`);
  if (f["corrects_id"]) parts.push("corrects an earlier follow-up");
  return parts.join(", ");
}

const MAIL: Record<string, string> = { none: "not emailed", queued: "email queued", sent: "emailed", failed: "email failed" };

function options(records: ChildRecord[], label: (r: ChildRecord, n: number) => string): Option[] {
  return records.map((r, n) => [r.id, label(r, n)]);
}

export function AftercarePanel({ d, onChanged }: { d: VisitDetail; onChanged: () => void }) {
  const app = useApp();
  const api = useMemo(() => new AftercareApi(app.api), [app]);
  const a = d.aftercare;
  if (!a) return <p class="muted">Not available.</p>;
  const add = async (fields: Fields): Promise<string> => {
    const { visit_id: _visit, ...body } = fields;
    try {
      await api.addAddendum(d.id, { ...body, id: crypto.randomUUID() });
    } catch (exc) {
      throw new Error(errorMessage(exc));
    }
    onChanged();
    return `Follow-up added: ${labelOf(ADDENDUM_KINDS, fields["kind"])}.`;
  };
  const kits = options([...d.kit_issues].sort((x, y) => x.id.localeCompare(y.id)), (k, n) => `Kit ${n + 1}${k["kit_code"] ? ` (${str(k["kit_code"])})` : ""}`);
  const items = options(d.property_items, (p, n) => str(p["make_model"]) || str(p["description"]) || `Item ${n + 1}`);
  return (
    <>
      <h3>Follow-ups ({a.addenda.length})</h3>
      {a.addenda.length === 0 ? <p class="muted">None added.</p> : (
        <ul class="sup-plain" data-testid="sup-addenda">
          {a.addenda.map((r) => (
            <li key={r.id}>
              <strong>{addendumText(r.fields)}</strong>
              {str(r.fields["text"]) && <>: {str(r.fields["text"])}</>}
              <span class="muted"> ({by(r)})</span>
            </li>
          ))}
        </ul>
      )}
      {acceptsAddenda(d.status) ? (
        <AddendumForm visitId={d.id} kits={kits} items={items} onAdd={add} />
      ) : (
        <p class="muted">Follow-ups can be added once the visit is completed; until then the officer edits the visit.</p>
      )}
      <h3>Contacts with the victim ({a.victim_updates.length})</h3>
      <p>{a.next_update_due ? `Next update due ${a.next_update_due}.` : "No update planned."}</p>
      {a.victim_updates.length > 0 && (
        <ul class="sup-plain">
          {a.victim_updates.map((r) => (
            <li key={r.id}>
              <strong>{labelOf(CONTACT_METHODS, r.fields["method"])}, {formatDateTime(str(r.fields["contacted_at"]))}</strong>: {str(r.fields["about"])}
              <span class="muted"> ({by(r)})</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Satisfaction survey</h3>
      {a.survey === null ? <p class="muted">Not answered yet.</p> : (
        <>
          <p>Answered {a.survey_channel === "self" ? "by the victim online" : "with the officer"}, {formatDateTime(a.survey.recorded_at)}.</p>
          <dl class="sup-facts">
            {SURVEY_QUESTIONS.filter(([k]) => a.survey?.fields[k] != null).map(([k, q]) => (
              <div key={k} class="sup-fact"><dt>{q}</dt><dd>{labelOf(SCORES, String(a.survey?.fields[k]))}</dd></div>
            ))}
          </dl>
        </>
      )}
      <h3>Leave-behinds given ({a.leave_behinds.length})</h3>
      {a.leave_behinds.length > 0 && (
        <ul class="sup-plain">
          {a.leave_behinds.map((r) => (
            <li key={r.id}>
              {LANGUAGE_NAMES[r.fields["language"] as LanguageCode] ?? str(r.fields["language"])}, texts version {String(r.fields["content_version"] ?? "")}
              {r.fields["printed"] === true ? ", printed" : ""}, {MAIL[r.mail_status] ?? r.mail_status}
              {r.mail_sent_at ? ` ${formatDateTime(r.mail_sent_at)}` : ""}
              <span class="muted"> ({by(r)})</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
