/**
 * Victim satisfaction beside the pilot's 74%: the share answering 4 or 5 of 5 on "overall", in
 * all and by week, area and team, for the figures page's date range (as charts and tables).
 */

import { useMemo } from "preact/hooks";

import { AftercareApi, type SatisfactionFigures as Figures, type SatisfactionGroup } from "../../aftercare-api";
import { filtersToParams, formatShare, type Filters } from "../../supervisor-api";
import { useApp } from "../hooks";
import { BarChart } from "./BarChart";
import { useRemote } from "./hooks";
import { Problem } from "./Problem";

function Breakdown({ id, title, rowHeader, groups, baseline }: { id: string; title: string; rowHeader: string; groups: SatisfactionGroup[]; baseline: number }) {
  return (
    <div>
      <h3 id={`${id}-title`}>{title}</h3>
      <BarChart
        id={`${id}-chart`}
        title={`Share satisfied ${title.toLowerCase()} (pilot: ${formatShare(baseline)})`}
        desc={groups.map((g) => `${g.name}: ${formatShare(g.satisfied_share)}`).join("; ") || "No answers"}
        bars={groups.map((g) => ({ label: g.name, value: g.satisfied_share, text: formatShare(g.satisfied_share) }))}
      />
      <div class="sup-table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
        <table class="sup-table">
          <caption id={`${id}-caption`}>Satisfaction {title.toLowerCase()}</caption>
          <thead>
            <tr>
              <th scope="col">{rowHeader}</th>
              <th scope="col">Answers</th>
              <th scope="col">Satisfied</th>
              <th scope="col">Share satisfied</th>
              <th scope="col">Against the pilot's {formatShare(baseline)}</th>
            </tr>
          </thead>
          <tbody>
            {groups.length === 0 && <tr><td colSpan={5}>No answers in this range.</td></tr>}
            {groups.map((g) => (
              <tr key={g.key}>
                <th scope="row">{g.name}</th>
                <td>{g.responses}</td>
                <td>{g.satisfied}</td>
                <td>{formatShare(g.satisfied_share)}</td>
                <td>{g.satisfied_share === null ? "No answers" : g.satisfied_share >= baseline ? "At or above" : "Below"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function SatisfactionFigures({ filters }: { filters: Filters }) {
  const app = useApp();
  const api = useMemo(() => new AftercareApi(app.api), [app]);
  const remote = useRemote<Figures>(() => api.figures(filtersToParams(filters)), [filters]);
  const f = remote.data;
  return (
    <section class="sup-section" aria-labelledby="sup-satisfaction-title">
      <h2 id="sup-satisfaction-title">Victim satisfaction</h2>
      <Problem error={remote.error} retry={remote.reload} />
      {f && (
        <>
          <dl class="sup-totals" data-testid="satisfaction-totals">
            <div class="sup-total"><dt>Share satisfied</dt><dd>{formatShare(f.total.satisfied_share)}</dd></div>
            <div class="sup-total"><dt>The pilot's share satisfied</dt><dd>{formatShare(f.baseline_share)}</dd></div>
            <div class="sup-total"><dt>Survey answers</dt><dd>{f.total.responses}</dd></div>
          </dl>
          <Breakdown id="sup-sat-week" title="By week" rowHeader="Week beginning" groups={f.by_week} baseline={f.baseline_share} />
          {f.by_area.length > 1 && <Breakdown id="sup-sat-area" title="By area" rowHeader="Area" groups={f.by_area} baseline={f.baseline_share} />}
          <Breakdown id="sup-sat-team" title="By team" rowHeader="Team" groups={f.by_team} baseline={f.baseline_share} />
        </>
      )}
    </section>
  );
}
