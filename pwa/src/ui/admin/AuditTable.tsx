/** Audit rows as a table: when, who, what, which record, and why (identifiers only, no content). */

import { actionLabel, actorLabel, type AuditRow } from "../../admin-api";
import { formatDateTime } from "../../supervisor-api";

const RECORD = { visits: "Visit", property_items: "Property item", kit_issues: "SmartWater kit", photos: "Photo", reviews: "Review", audit: "Audit trail" } as Record<string, string>;

export function AuditTable({ id, caption, rows }: { id: string; caption: string; rows: AuditRow[] }) {
  return (
    <div class="sup-table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table class="sup-table admin-table" data-testid="audit-table">
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
            <th scope="col">Record</th>
            <th scope="col">Reason or recipient</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">No entries.</td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.id}>
              <th scope="row">{formatDateTime(r.at)}</th>
              <td>{actionLabel(r.action)}</td>
              <td>{actorLabel(r)}</td>
              <td>
                {RECORD[r.record_type] ?? r.record_type.replace(/_/g, " ")} <span class="muted admin-id">{r.record_id}</span>
              </td>
              <td>{[r.reason, r.recipient ? `to ${r.recipient}` : ""].filter(Boolean).join("; ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
