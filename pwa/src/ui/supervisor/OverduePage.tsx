/**
 * Victims owed an update (Victims' Code: kept informed), most overdue first: visits in the
 * supervisor's scope whose next update date has passed, or that never had one after completion.
 * Each visit listed is audited on the server as consulted.
 */

import { useMemo, useState } from "preact/hooks";

import { AftercareApi, type OverdueVisit } from "../../aftercare-api";
import { labelOf, CONTACT_METHODS } from "../../aftercare/records";
import { formatDateTime, formatDay } from "../../supervisor-api";
import { useApp } from "../hooks";
import { useFocusHeading, useRemote } from "./hooks";
import { Problem } from "./Problem";
import "./supervisor.css";
import { supervisorVisitHref } from "./VisitsPage";

export function OverduePage() {
  const app = useApp();
  const api = useMemo(() => new AftercareApi(app.api), [app]);
  const [more, setMore] = useState<OverdueVisit[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const remote = useRemote(() => api.overdue(), []);
  useFocusHeading("sup-overdue-title", "once");
  const first = remote.data;
  const visits = [...(first?.visits ?? []), ...more];
  const next = cursor === undefined ? first?.next_cursor ?? null : cursor;
  const loadMore = async () => {
    if (!next) return;
    const page = await api.overdue(next);
    setMore((m) => [...m, ...page.visits]);
    setCursor(page.next_cursor);
  };
  return (
    <section aria-labelledby="sup-overdue-title">
      <h1 id="sup-overdue-title" tabIndex={-1}>Updates overdue</h1>
      <p class="muted">Victims in your scope who are owed an update, most overdue first.</p>
      <p role="status" class="muted">{remote.loading ? "Loading…" : first ? `${visits.length}${next ? "+" : ""} ${visits.length === 1 ? "visit" : "visits"} overdue.` : ""}</p>
      <Problem error={remote.error} retry={remote.reload} />
      {first && visits.length === 0 && <p>No victim is owed an update.</p>}
      {visits.length > 0 && (
        <div class="sup-table-scroll" role="region" aria-labelledby="sup-overdue-caption" tabIndex={0}>
          <table class="sup-table" data-testid="overdue-table">
            <caption id="sup-overdue-caption">Visits whose victim is owed an update</caption>
            <thead>
              <tr>
                <th scope="col">Crime reference</th>
                <th scope="col">Officer</th>
                <th scope="col">Update due</th>
                <th scope="col">Days overdue</th>
                <th scope="col">Last contact</th>
              </tr>
            </thead>
            <tbody>
              {visits.map((v) => (
                <tr key={v.visit_id}>
                  <th scope="row"><a href={supervisorVisitHref(v.visit_id)}>{v.crime_reference ?? "No reference"}</a></th>
                  <td>{v.officer.display_name} ({v.officer.collar_number})</td>
                  <td>{formatDay(v.due)}</td>
                  <td>{v.days_overdue}</td>
                  <td>{v.last_contact_at ? `${formatDateTime(v.last_contact_at)}, ${labelOf(CONTACT_METHODS, v.last_method)}` : "None since the visit"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && <button type="button" class="secondary" onClick={() => void loadMore()}>Load more</button>}
    </section>
  );
}
