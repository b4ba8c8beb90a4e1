/**
 * "After the visit": follow-ups (addenda) on a sealed visit, contacts with the victim, the
 * survey at a follow-up and the leave-behind, all recorded offline as new records of their own.
 * A draft or returned visit is still editable, so a follow-up there is refused with the reason.
 */

import { ADDENDUM_KINDS, acceptsAddenda, acceptsContact, labelOf, type Option } from "../aftercare/records";
import type { Fields, LocalRecord } from "../model/types";
import { AddendumForm } from "./AddendumForm";
import { AftercareHistory } from "./AftercareHistory";
import { FollowUpSurvey } from "./FollowUpSurvey";
import { useApp } from "./hooks";
import type { SectionProps } from "./sectionProps";
import { VictimUpdateForm } from "./VictimUpdateForm";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** The visit's kits and property items as choices for a follow-up. */
export function choicesOf(children: LocalRecord[]): { kits: Option[]; items: Option[] } {
  const kits: Option[] = children
    .filter((c) => c.collection === "kit_issues")
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((k, n) => [k.id, `Kit ${n + 1}${str(k.fields["kit_code"]) ? ` (${str(k.fields["kit_code"])})` : ""}`]);
  const items: Option[] = children
    .filter((c) => c.collection === "property_items")
    .map((p, n) => [p.id, str(p.fields["make_model"]) || str(p.fields["description"]) || `Item ${n + 1}`]);
  return { kits, items };
}

export function AftercareSection({ visit, children }: SectionProps) {
  const app = useApp();
  const status = String(visit.fields["status"] ?? "draft");
  const surveyed = children.some((c) => c.collection === "survey_responses");
  const given = children.filter((c) => c.collection === "leave_behinds").sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const language = typeof given[0]?.fields["language"] === "string" ? (given[0].fields["language"] as string) : "en";
  return (
    <div class="aftercare">
      <p>
        <a class="button secondary" href={`#/visit/${visit.id}/leave-behind`}>Leave-behind for the victim</a>
      </p>
      <AftercareHistory children={children} />
      {acceptsAddenda(status) ? (
        <AddendumForm
          visitId={visit.id}
          {...choicesOf(children)}
          onAdd={async (fields: Fields) => {
            await app.edit({ collection: "addenda", id: crypto.randomUUID(), visit_id: visit.id, fields, coalesce: false });
            return `Follow-up added: ${labelOf(ADDENDUM_KINDS, fields["kind"])}. It syncs with your other changes.`;
          }}
        />
      ) : (
        <p class="warning" role="note" data-testid="addenda-refused">
          Follow-ups can only be added once the visit is completed. This visit is {status === "returned" ? "returned" : "a draft"}: edit the visit instead.
        </p>
      )}
      {acceptsContact(status) && <VictimUpdateForm visit={visit} />}
      {acceptsContact(status) && !surveyed && <FollowUpSurvey visit={visit} language={language} />}
    </div>
  );
}
