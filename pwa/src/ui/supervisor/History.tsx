/** Revision history, open conflicts and previous reviews of a visit. */

import type { Conflict } from "../../sync";
import { formatDateTime, type ReviewEntry, type RevisionEntry, type VisitDetail } from "../../supervisor-api";
import { COLLECTION_LABELS, displayValue, labelOf, opLabel } from "./display";

function shown(collection: string, path: string, value: unknown): string {
  const text = displayValue(collection, path, value);
  return text === "" ? "(empty)" : text;
}

export function History({ revisions }: { revisions: RevisionEntry[] }) {
  if (revisions.length === 0) return <p class="muted">No revisions.</p>;
  // Newest first: the latest change is what the supervisor most often wants.
  const list = [...revisions].reverse();
  return (
    <ol class="sup-history" reversed>
      {list.map((r) => {
        const paths = Object.keys(r.changes);
        return (
          <li key={`${r.collection}-${r.record_id}-${r.rev}-${r.at}`}>
            <p class="sup-history-head">
              <strong>{opLabel(r.op)}</strong>: {COLLECTION_LABELS[r.collection] ?? r.collection}, revision {r.rev}, by {r.actor ?? "the server"}{" "}
              <span class="muted">at {formatDateTime(r.at)}{r.device_at ? ` (on the device ${formatDateTime(r.device_at)})` : ""}</span>
            </p>
            {paths.length > 0 && (
              <ul class="sup-changes">
                {paths.map((p) => {
                  const before = r.previous[p];
                  const had = before !== undefined && before !== null && !(Array.isArray(before) && before.length === 0);
                  return (
                    <li key={p}>
                      <span class="sup-change-label">{labelOf(r.collection, p)}</span>: {shown(r.collection, p, r.changes[p])}
                      {had && <span class="muted"> (was {shown(r.collection, p, before)})</span>}
                    </li>
                  );
                })}
              </ul>
            )}
            {r.conflicts_added.length > 0 && (
              <p class="warning">{r.conflicts_added.length} {r.conflicts_added.length === 1 ? "conflict" : "conflicts"} recorded by this change.</p>
            )}
          </li>
        );
      })}
    </ol>
  );
}

interface Open {
  collection: string;
  where: string;
  conflict: Conflict;
}

export function openConflicts(d: VisitDetail): Open[] {
  const out: Open[] = d.conflicts.map((c) => ({ collection: "visits", where: "Visit", conflict: c }));
  const children: Array<[string, string, VisitDetail["property_items"]]> = [
    ["property_items", "Property item", d.property_items],
    ["kit_issues", "SmartWater kit", d.kit_issues],
    ["photos", "Photo", d.photos],
  ];
  for (const [collection, label, rows] of children) {
    rows.forEach((row, i) => {
      for (const c of row.conflicts ?? []) out.push({ collection, where: `${label} ${i + 1}`, conflict: c });
    });
  }
  return out;
}

export function OpenConflicts({ d }: { d: VisitDetail }) {
  const list = openConflicts(d);
  if (list.length === 0) return <p class="muted">No open conflicts.</p>;
  return (
    <>
      <p>Two changes to the same field crossed. The later one is kept; the officer decides on the phone which value stands.</p>
      <ul class="sup-plain">
        {list.map(({ collection, where, conflict }) => (
          <li key={`${where}-${conflict.field}-${conflict.rev}`} class="warning">
            <strong>{where}, {labelOf(collection, conflict.field)}</strong>: the other value was “{shown(collection, conflict.field, conflict.value)}”
            <span class="muted"> (revision {conflict.rev}, replaced by revision {conflict.replaced_by_rev})</span>
          </li>
        ))}
      </ul>
    </>
  );
}

export function PreviousReviews({ reviews }: { reviews: ReviewEntry[] }) {
  if (reviews.length === 0) return <p class="muted">Not reviewed before.</p>;
  return (
    <ol class="sup-plain">
      {reviews.map((r) => (
        <li key={`${r.at}-${r.visit_rev}`} class={r.decision === "return" ? "returned-note" : "note"}>
          <strong>{r.decision === "approve" ? "Approved" : "Returned to the officer"}</strong> by {r.reviewer.display_name} ({r.reviewer.collar_number}){" "}
          <span class="muted">at {formatDateTime(r.at)}</span>
          {r.note && <span class="sup-review-note">Note: {r.note}</span>}
        </li>
      ))}
    </ol>
  );
}
