/** My visits with their state and sync state, newest first, and "Start visit". */

import { STATUS_LABELS } from "../model/fields";
import type { LocalRecord, OutboxEntry } from "../model/types";
import { formatTime, useApp, useLoad } from "./hooks";
import { visitHref } from "./router";

function syncState(visit: LocalRecord, entries: OutboxEntry[], photosWaiting: number): string {
  const mine = entries.filter((e) => e.visit_id === visit.id);
  if (mine.some((e) => e.state === "rejected" && !e.dismissed) || visit.conflicts.length > 0) return "Needs attention";
  if (mine.some((e) => e.state === "queued")) return "Waiting to sync";
  if (photosWaiting > 0) return "Photos waiting";
  if (visit.base_rev === null) return "Not yet on the server";
  return "Synced";
}

export function VisitList() {
  const app = useApp();
  const data = useLoad(async () => {
    const [visits, entries, photos] = await Promise.all([app.store.records.list("visits"), app.store.outbox.list(), app.store.photos.states()]);
    return { visits, entries, photos };
  }, []);

  const start = async () => {
    const id = crypto.randomUUID();
    await app.edit({ collection: "visits", id, visit_id: id, fields: { status: "draft", "attendance.arrived_at": new Date().toISOString() } });
    location.hash = visitHref(id, "reference", "reference.crime_reference");
  };

  const visits = [...(data?.visits ?? [])].sort((a, b) =>
    String(b.fields["attendance.arrived_at"] ?? b.updated_at).localeCompare(String(a.fields["attendance.arrived_at"] ?? a.updated_at)),
  );
  return (
    <section aria-labelledby="visits-title">
      <h1 id="visits-title">My visits</h1>
      <button type="button" class="primary" onClick={() => void start()}>
        Start visit
      </button>
      {data && visits.length === 0 && <p class="muted">No visits on this phone yet.</p>}
      <ul class="visit-list">
        {visits.map((v) => {
          const status = String(v.fields["status"] ?? "draft");
          const ref = v.fields["reference.crime_reference"];
          const where = [v.fields["address.line1"], v.fields["address.postcode"]].filter((x) => typeof x === "string" && x).join(", ");
          const photosWaiting = (data?.photos ?? []).filter((p) => p.visit_id === v.id && p.upload_state !== "verified").length;
          const note = v.fields["review.note"];
          return (
            <li key={v.id} class="visit-row">
              <a href={visitHref(v.id, status === "returned" ? "complete" : "reference")}>
                <span class="visit-title">{typeof ref === "string" && ref ? ref : "No crime reference yet"}</span>
                <span class="visit-where">{where || "No address yet"}</span>
                <span class="visit-meta">
                  <span class={`status status-${status}`}>{STATUS_LABELS[status] ?? status}</span>{" "}
                  <span class="sync-chip">{syncState(v, data?.entries ?? [], photosWaiting)}</span>{" "}
                  <span class="muted">{formatTime(typeof v.fields["attendance.arrived_at"] === "string" ? v.fields["attendance.arrived_at"] : null)}</span>
                </span>
                {status === "returned" && typeof note === "string" && note && <span class="returned-note">Supervisor: {note}</span>}
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
