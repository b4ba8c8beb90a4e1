/**
 * Aftercare records as the phone builds them (docs/aftercare.md, "The collections"): each one
 * created whole and once (a new id, `base_rev: null`), never edited. These pure functions turn
 * what the officer entered into a record's fields, or into problems naming the field, before
 * anything is queued, with the server's own rules.
 */

import type { Fields } from "../model/types";

export type Option = readonly [value: string, label: string];

export const ADDENDUM_KINDS: readonly Option[] = [
  ["kit_registered", "SmartWater kit registered"],
  ["evidence_collected", "CCTV or other evidence collected"],
  ["property_recovered", "Property recovered"],
  ["forensic_result", "Forensic result"],
  ["note", "Note"],
];
export const EVIDENCE_KINDS: readonly Option[] = [
  ["cctv", "CCTV"], ["doorbell", "Doorbell camera"], ["dashcam", "Dashcam"], ["anpr", "ANPR"],
  ["physical", "Physical evidence"], ["statement", "Statement"], ["other", "Other"],
];
export const FORENSIC_TYPES: readonly Option[] = [
  ["fingerprints", "Fingerprints"], ["footwear", "Footwear marks"], ["dna", "DNA"], ["tool_marks", "Tool marks"],
];
export const FORENSIC_OUTCOMES: readonly Option[] = [
  ["identified", "Identified"], ["no_match", "No match"], ["not_suitable", "Not suitable"],
];
export const CONTACT_METHODS: readonly Option[] = [
  ["phone", "Phone"], ["visit", "Visit"], ["letter", "Letter"], ["email", "Email"], ["sms", "SMS"],
];
/** The five survey questions (server/aftercare/messages.py SURVEY), `overall` required. */
export const SURVEY_QUESTIONS: readonly Option[] = [
  ["overall", "Overall, how satisfied are you with the whole experience?"],
  ["ease_of_contact", "How satisfied are you with how easy it was to contact the police?"],
  ["actions_taken", "How satisfied are you with what the police did?"],
  ["kept_informed", "How satisfied are you with how well you were kept informed?"],
  ["treatment", "How satisfied are you with how you were treated?"],
];
export const SCORES: readonly Option[] = [
  ["5", "Very satisfied"], ["4", "Fairly satisfied"], ["3", "Neither satisfied nor dissatisfied"],
  ["2", "Fairly dissatisfied"], ["1", "Very dissatisfied"],
];

export function labelOf(options: readonly Option[], value: unknown): string {
  return options.find(([v]) => v === value)?.[1] ?? (typeof value === "string" ? value : "");
}

/** Visits that accept addenda (PROTOCOL.md section 14): the sealed ones. */
export function acceptsAddenda(status: string): boolean {
  return status === "completed" || status === "approved";
}
/** Victim updates and survey answers also go on while a returned visit is being fixed. */
export function acceptsContact(status: string): boolean {
  return status === "completed" || status === "approved" || status === "returned";
}

export interface Problem {
  field: string;
  message: string;
}
export type Built = { fields: Fields; problems: [] } | { fields: null; problems: Problem[] };

function done(fields: Fields, problems: Problem[]): Built {
  return problems.length > 0 ? { fields: null, problems } : { fields, problems: [] };
}

/** A datetime-local value ("2026-11-24T10:15") as an ISO instant, or null. */
export function isoOfLocal(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const trimmed = (v: string | undefined) => (v ?? "").trim();

export interface AddendumInput {
  kind: string;
  occurred_at?: string;
  text?: string;
  kit_issue_id?: string;
  property_item_id?: string;
  evidence_kind?: string;
  exhibit_reference?: string;
  forensic_type?: string;
  forensic_outcome?: string;
}

/** An addendum's fields, or what is missing or wrong (field names as the form's). */
export function buildAddendum(visitId: string, input: AddendumInput): Built {
  const problems: Problem[] = [];
  const fields: Fields = { visit_id: visitId, kind: input.kind };
  if (!ADDENDUM_KINDS.some(([v]) => v === input.kind)) problems.push({ field: "kind", message: "Choose what this follow-up records" });
  const text = trimmed(input.text);
  if (text.length > 4000) problems.push({ field: "text", message: "Keep the details under 4000 characters" });
  if (text) fields["text"] = text;
  if (input.occurred_at) {
    const at = isoOfLocal(input.occurred_at);
    if (at === null) problems.push({ field: "occurred_at", message: "Enter when it happened as a date and time" });
    else fields["occurred_at"] = at;
  }
  const exhibit = trimmed(input.exhibit_reference);
  if (exhibit.length > 40) problems.push({ field: "exhibit_reference", message: "Keep the exhibit reference under 40 characters" });
  switch (input.kind) {
    case "kit_registered":
      if (!input.kit_issue_id) problems.push({ field: "kit_issue_id", message: "Choose the kit that was registered" });
      else fields["kit_issue_id"] = input.kit_issue_id;
      break;
    case "evidence_collected":
      if (!input.evidence_kind) problems.push({ field: "evidence_kind", message: "Choose what kind of evidence was collected" });
      else fields["evidence_kind"] = input.evidence_kind;
      if (exhibit) fields["exhibit_reference"] = exhibit;
      break;
    case "property_recovered":
      if (input.property_item_id) fields["property_item_id"] = input.property_item_id;
      else if (!text) problems.push({ field: "text", message: "Choose the item recovered, or describe it" });
      if (exhibit) fields["exhibit_reference"] = exhibit;
      break;
    case "forensic_result":
      if (!input.forensic_type) problems.push({ field: "forensic_type", message: "Choose the forensic opportunity" });
      else fields["forensic_type"] = input.forensic_type;
      if (!input.forensic_outcome) problems.push({ field: "forensic_outcome", message: "Choose the result" });
      else fields["forensic_outcome"] = input.forensic_outcome;
      break;
    case "note":
      if (!text) problems.push({ field: "text", message: "Write the note" });
      break;
  }
  return done(fields, problems);
}

export interface VictimUpdateInput {
  contacted_at: string;
  method: string;
  about: string;
  next_update_due: string;
}

/** A victim update's fields: when, how, what about and the next update due (a date, or none). */
export function buildVictimUpdate(visitId: string, input: VictimUpdateInput): Built {
  const problems: Problem[] = [];
  const fields: Fields = { visit_id: visitId };
  const at = isoOfLocal(input.contacted_at);
  if (at === null) problems.push({ field: "contacted_at", message: "Enter when you contacted the victim" });
  else fields["contacted_at"] = at;
  if (!CONTACT_METHODS.some(([v]) => v === input.method)) problems.push({ field: "method", message: "Choose how you contacted the victim" });
  else fields["method"] = input.method;
  const about = trimmed(input.about);
  if (!about) problems.push({ field: "about", message: "Say what the update was about" });
  else if (about.length > 4000) problems.push({ field: "about", message: "Keep it under 4000 characters" });
  else fields["about"] = about;
  if (input.next_update_due) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.next_update_due)) problems.push({ field: "next_update_due", message: "Enter the date the next update is due" });
    else if (at !== null && input.next_update_due < input.contacted_at.slice(0, 10)) {
      problems.push({ field: "next_update_due", message: "The next update cannot be due before this contact" });
    } else fields["next_update_due"] = input.next_update_due;
  } else {
    fields["next_update_due"] = null;
  }
  return done(fields, problems);
}

/** Survey answers recorded with the officer: `overall` required, the others 1-5 or left out. */
export function buildSurvey(visitId: string, answers: Record<string, string>, comment: string, language: string): Built {
  const problems: Problem[] = [];
  const fields: Fields = { visit_id: visitId, language };
  for (const [key, question] of SURVEY_QUESTIONS) {
    const value = answers[key];
    if (!value) {
      if (key === "overall") problems.push({ field: key, message: `Choose an answer for: ${question}` });
      continue;
    }
    const score = Number(value);
    if (!Number.isInteger(score) || score < 1 || score > 5) problems.push({ field: key, message: `Choose an answer for: ${question}` });
    else fields[key] = score;
  }
  const text = comment.trim();
  if (text.length > 2000) problems.push({ field: "comment", message: "Keep the comment under 2000 characters" });
  else if (text) fields["comment"] = text;
  return done(fields, problems);
}
