/**
 * "After the visit": follow-ups (addenda) on a sealed visit, contacts with the victim, the
 * survey at a follow-up and the leave-behind, all recorded offline as new records of their own.
 * A draft or returned visit is still editable, so a follow-up there is refused with the reason.
 */

import { acceptsAddenda, acceptsContact } from "../aftercare/records";
import { AddendumForm } from "./AddendumForm";
import { AftercareHistory } from "./AftercareHistory";
import { FollowUpSurvey } from "./FollowUpSurvey";
import type { SectionProps } from "./sectionProps";
import { VictimUpdateForm } from "./VictimUpdateForm";

export function AftercareSection({ visit, children }: SectionProps) {
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
        <AddendumForm visit={visit} children={children} />
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
