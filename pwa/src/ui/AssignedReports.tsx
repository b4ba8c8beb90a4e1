/**
 * "Reports assigned to me": reported burglaries the force's system sent to this officer (the
 * pull-only `reports` collection, kept offline), oldest first, each with "Start visit", which
 * makes a draft prefilled from the report and linked to it.
 */

import { byReportedAt, isOpenReport, visitFromReport, visitOfReport } from "../model/reports";
import type { LocalRecord } from "../model/types";
import { formatTime, useApp, useLoad } from "./hooks";
import { visitHref } from "./router";

function waited(reportedAt: unknown, now: number): string {
  if (typeof reportedAt !== "string") return "";
  const minutes = Math.max(0, Math.round((now - Date.parse(reportedAt)) / 60000));
  if (!Number.isFinite(minutes)) return "";
  return minutes < 60 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
}

function text(r: LocalRecord, path: string): string {
  const v = r.fields[path];
  return typeof v === "string" ? v : "";
}

export function AssignedReports() {
  const app = useApp();
  const data = useLoad(async () => {
    const [reports, visits] = await Promise.all([app.store.records.list("reports"), app.store.records.list("visits")]);
    return { reports: reports.filter(isOpenReport).sort(byReportedAt), visits };
  }, []);
  if (!data) return null;

  const start = async (report: LocalRecord) => {
    const id = crypto.randomUUID();
    await app.edit({ collection: "visits", id, visit_id: id, fields: visitFromReport(report, new Date().toISOString()) });
    location.hash = visitHref(id, "reference");
  };

  const now = Date.now();
  return (
    <section aria-labelledby="reports-title" class="assigned-reports">
      <h2 id="reports-title">Reports assigned to me</h2>
      {data.reports.length === 0 && <p class="muted">No reports waiting for you. New ones arrive when the phone syncs.</p>}
      <ul class="report-list">
        {data.reports.map((r) => {
          const visit = visitOfReport(r.id, r, data.visits);
          const ref = text(r, "reference.crime_reference");
          const where = [text(r, "address.line1"), text(r, "address.postcode")].filter(Boolean).join(", ");
          const titleId = `report-${r.id}-title`;
          return (
            <li key={r.id} class="report-row">
              <div class="report-body">
                <span class="visit-title" id={titleId}>{ref}</span>
                <span class="visit-where">{where} - {text(r, "victim.name")}</span>
                <span class="visit-meta muted">
                  Reported {formatTime(text(r, "reference.reported_at"))} ({waited(r.fields["reference.reported_at"], now)})
                  {r.fields["assigned.officer_id"] ? "" : ", assigned to your team"}
                </span>
              </div>
              {visit ? (
                <a class="report-open" href={visitHref(visit.id, "reference")} aria-describedby={titleId}>Open visit</a>
              ) : (
                <button type="button" class="primary" aria-describedby={titleId} onClick={() => void start(r)}>Start visit</button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
