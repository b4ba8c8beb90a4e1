/**
 * Reported burglaries on the phone (the pull-only `reports` collection, server/reports): which
 * are the officer's to visit, and the visit "Start visit" makes from one. Pure: no storage.
 *
 * A report's record uses the visit's own dotted paths (server/reports/schemas.py), so a visit
 * started from it copies them across, with `reference.report_id` set so the server links the
 * two (and the report counts as visited once the visit is completed).
 */

import type { Fields, LocalRecord } from "./types";

/** The report paths a new visit copies (the same paths on both records). */
export const COPIED_PATHS = [
  "reference.crime_reference",
  "reference.incident_number",
  "reference.reported_at",
  "offence.type",
  "address.line1",
  "address.line2",
  "address.town",
  "address.postcode",
  "victim.name",
  "victim.phone",
  "victim.email",
] as const;

/** Open reports (awaiting a visit or with one in progress): the ones an officer acts on. */
export function isOpenReport(report: LocalRecord): boolean {
  const state = report.fields["state"];
  return state === "awaiting" || state === "in_progress";
}

/** The fields of a visit started now from `report`: the draft, arrival now, and the link. */
export function visitFromReport(report: LocalRecord, now: string): Fields {
  const fields: Fields = { status: "draft", "attendance.arrived_at": now, "reference.report_id": report.id };
  for (const path of COPIED_PATHS) {
    const value = report.fields[path];
    if (value !== null && value !== undefined && value !== "") fields[path] = value;
  }
  const flagged = Array.isArray(report.fields["victim.vulnerabilities"]) ? (report.fields["victim.vulnerabilities"] as string[]) : [];
  const vulnerabilities = [...flagged];
  if (report.fields["victim.repeat_victim"] === true && !vulnerabilities.includes("repeat_victim")) vulnerabilities.push("repeat_victim");
  if (vulnerabilities.length > 0) fields["victim.vulnerabilities"] = vulnerabilities.slice(0, 6);
  return fields;
}

/** The visit on this phone already started from `reportId`, if any (local or synced link). */
export function visitOfReport(reportId: string, report: LocalRecord | undefined, visits: LocalRecord[]): LocalRecord | undefined {
  const linked = report?.fields["link.visit_id"];
  return visits.find((v) => v.fields["reference.report_id"] === reportId || (typeof linked === "string" && v.id === linked));
}

/** Oldest first: the longest-waiting victim at the top. */
export function byReportedAt(a: LocalRecord, b: LocalRecord): number {
  return String(a.fields["reference.reported_at"] ?? "").localeCompare(String(b.fields["reference.reported_at"] ?? ""));
}
