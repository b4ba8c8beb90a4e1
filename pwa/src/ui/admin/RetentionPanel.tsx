/** The retention policy in force (set by the deployment's settings) and what it would erase now. */

import { useRemote } from "../supervisor/hooks";
import { Problem } from "../supervisor/Problem";
import { useAdminApi } from "./hooks";

const STATE = { draft: "Drafts", deleted: "Deleted visits", submitted: "Completed, not approved", approved: "Approved" } as const;

export function RetentionPanel() {
  const api = useAdminApi();
  const remote = useRemote(() => api.retention(), []);
  const r = remote.data;
  return (
    <section class="sup-section" aria-labelledby="admin-retention-title">
      <h2 id="admin-retention-title">Retention</h2>
      <p>
        Set by the deployment's settings (docs/retention.md) and applied by <code>doorstep retention --apply</code>; shown here read-only.
      </p>
      <Problem error={remote.error} retry={remote.reload} />
      {r && (
        <div class="sup-table-scroll" role="region" aria-labelledby="admin-retention-caption" tabIndex={0}>
          <table class="sup-table admin-table">
            <caption id="admin-retention-caption">Retention periods</caption>
            <thead>
              <tr>
                <th scope="col">Visits</th>
                <th scope="col">Kept for</th>
                <th scope="col">Measured from</th>
                <th scope="col">Setting</th>
                <th scope="col">Due for erasure now</th>
              </tr>
            </thead>
            <tbody>
              {r.periods.map((p) => (
                <tr key={p.state}>
                  <th scope="row">{STATE[p.state] ?? p.state}</th>
                  <td>{p.days === 0 ? "Not erased automatically" : `${p.days} days${p.days >= 365 ? ` (about ${Math.round(p.days / 365.25)} years)` : ""}`}</td>
                  <td>{p.measured_from.replace(/_/g, " ")}</td>
                  <td><code>{p.setting}</code></td>
                  <td>{p.due_now}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {r && r.objects_pending > 0 && <p class="warning">{r.objects_pending} photo files of erased visits are still to be removed.</p>}
    </section>
  );
}
