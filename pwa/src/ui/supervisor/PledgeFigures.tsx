/** The pledge over every reported burglary: reported, visited, awaiting, overdue; by week. */

import type { Pledge, PledgeGroup } from "../../queue-api";
import { formatDuration, formatShare } from "../../supervisor-api";

const COLUMNS: Array<[string, (g: PledgeGroup) => string]> = [
  ["Reported", (g) => String(g.reported)],
  ["Visited", (g) => String(g.visited)],
  ["Awaiting a visit", (g) => String(g.awaiting)],
  ["Overdue", (g) => String(g.overdue)],
  ["Closed without a visit", (g) => String(g.closed)],
  ["Visited share", (g) => formatShare(g.visited_share)],
  ["Median report to arrival", (g) => formatDuration(g.median_to_arrival_seconds)],
];

export function PledgeFigures({ pledge }: { pledge: Pledge }) {
  const t = pledge.total;
  return (
    <section class="sup-section" aria-labelledby="sup-pledge-title">
      <h2 id="sup-pledge-title">Every reported burglary</h2>
      <p class="muted">Counted over the reports from the force's crime system: a burglary nobody has visited yet counts as awaiting; a draft visit is not a visit.</p>
      <dl class="sup-totals" data-testid="pledge-totals">
        {COLUMNS.map(([label, value]) => (
          <div key={label} class="sup-pledge-total">
            <dt>{label}</dt>
            <dd>{value(t)}</dd>
          </div>
        ))}
      </dl>
      <div class="sup-table-scroll" role="region" aria-labelledby="sup-pledge-weeks" tabIndex={0}>
        <table class="sup-table">
          <caption id="sup-pledge-weeks">Reported burglaries by week</caption>
          <thead>
            <tr>
              <th scope="col">Week</th>
              {COLUMNS.map(([label]) => <th key={label} scope="col">{label}</th>)}
            </tr>
          </thead>
          <tbody>
            {pledge.by_week.length === 0 && (
              <tr><td colSpan={COLUMNS.length + 1}>No reports for these filters.</td></tr>
            )}
            {pledge.by_week.map((g) => (
              <tr key={g.key}>
                <th scope="row">{g.name}</th>
                {COLUMNS.map(([label, value]) => <td key={label}>{value(g)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
