/**
 * What a visit still needs before it can be completed: mirrors the server's
 * `missing_for_completion` (server/visits/schemas.py) exactly, plus what the phone knows the
 * server would refuse (values typed but not valid yet, time windows the wrong way round).
 */

import type { JSONValue } from "../sync";
import { sectionOf, visitField, type SectionId } from "./fields";

/** The server's list, in its order. A field is missing when absent or null (false is an answer). */
export const REQUIRED_FOR_COMPLETION = [
  "reference.crime_reference",
  "reference.reported_at",
  "attendance.arrived_at",
  "address.line1",
  "address.postcode",
  "victim.name",
  "offence.type",
  "victim.victims_code_given",
] as const;

export function missingForCompletion(fields: Readonly<Record<string, JSONValue>>): string[] {
  return REQUIRED_FOR_COMPLETION.filter((path) => fields[path] === undefined || fields[path] === null);
}

export interface Problem {
  path: string;
  label: string;
  message: string;
  section: SectionId;
}

function before(a: JSONValue | undefined, b: JSONValue | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && Date.parse(b) < Date.parse(a);
}

/** Everything standing between this visit and "Complete visit", each with where to fix it. */
export function completionChecks(
  fields: Readonly<Record<string, JSONValue>>,
  drafts: Readonly<Record<string, string>> = {},
): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) =>
    problems.push({ path, label: visitField(path).label, message, section: sectionOf(path) });
  for (const path of missingForCompletion(fields)) {
    if (drafts[path] === undefined) add(path, "Required");
  }
  for (const path of Object.keys(drafts)) {
    // "path#new" drafts are list entries still being typed, not field values.
    if (!path.includes("#")) add(path, "Not valid yet: check what was typed");
  }
  if (before(fields["attendance.arrived_at"], fields["attendance.left_at"])) add("attendance.left_at", "Is before the arrival time");
  if (before(fields["offence.last_secure_at"], fields["offence.discovered_at"])) add("offence.discovered_at", "Is before the time last secure");
  if (fields["victim.referral_made"] === true && fields["victim.referral_consent"] === false) {
    add("victim.referral_made", "A referral needs the victim's consent");
  }
  return problems;
}
