/** The figures: every reported burglary (the pledge), then the visits by area, team and officer; filtered by dates or week, offence type, area, team, officer. */

import { useState } from "preact/hooks";

import {
  checkFilters,
  emptyFilters,
  formatDay,
  formatDuration,
  formatShare,
  formatTarget,
  type FilterProblem,
  type Filters,
  type Stats,
  type StatsGroup,
} from "../../supervisor-api";
import { emptyFigureFilters, figureParams, mondayOf, type FigureFilters } from "../../queue-api";
import { BarChart } from "./BarChart";
import { FigureFilterFields } from "./FigureFilterFields";
import { FilterFields, useFilterOptions } from "./FilterFields";
import { useFocusHeading, useRemote, useSupervisorApi } from "./hooks";
import { PledgeFigures } from "./PledgeFigures";
import { Problem } from "./Problem";
import { SatisfactionFigures } from "./SatisfactionFigures";
import { useQueueApi } from "./useQueueApi";
import "./supervisor.css";

interface Column {
  label: string;
  value: (g: StatsGroup) => string;
}

function columns(target: number): Column[] {
  return [
    { label: "Visits", value: (g) => String(g.visits) },
    { label: "Median report to arrival", value: (g) => formatDuration(g.median_to_arrival_seconds) },
    { label: "90th percentile report to arrival", value: (g) => formatDuration(g.p90_to_arrival_seconds) },
    { label: `Within ${formatTarget(target)}`, value: (g) => formatShare(g.within_target_share) },
    { label: "Kits issued", value: (g) => String(g.kits_issued) },
    { label: "With advice given", value: (g) => formatShare(g.advice_given_share) },
    { label: "CSI requested", value: (g) => String(g.csi_requested) },
    { label: "Repeat victims", value: (g) => String(g.repeat_victims) },
    { label: "Vulnerable victims", value: (g) => String(g.vulnerable_victims) },
    { label: "Awaiting review", value: (g) => String(g.awaiting_review) },
  ];
}

function Table({ id, caption, rowHeader, groups, target }: { id: string; caption: string; rowHeader: string; groups: StatsGroup[]; target: number }) {
  const cols = columns(target);
  return (
    <div class="sup-table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table class="sup-table">
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{rowHeader}</th>
            {cols.map((c) => <th key={c.label} scope="col">{c.label}</th>)}
          </tr>
        </thead>
        <tbody>
          {groups.length === 0 && (
            <tr><td colSpan={cols.length + 1}>No visits in this range.</td></tr>
          )}
          {groups.map((g) => (
            <tr key={g.key}>
              <th scope="row">{g.name}</th>
              {cols.map((c) => <td key={c.label}>{c.value(g)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Totals({ stats }: { stats: Stats }) {
  const t = stats.total;
  const cards: Array<[string, string]> = columns(stats.target_seconds).map((c) => [c.label, c.value(t)]);
  return (
    <dl class="sup-totals">
      {cards.map(([label, value]) => (
        <div key={label} class="sup-total">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Breakdown({ id, title, rowHeader, groups, stats }: { id: string; title: string; rowHeader: string; groups: StatsGroup[]; stats: Stats }) {
  const target = formatTarget(stats.target_seconds);
  return (
    <section class="sup-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div class="sup-charts">
        <BarChart
          id={`${id}-visits`}
          title={`Visits ${title.toLowerCase()}`}
          desc={groups.map((g) => `${g.name}: ${g.visits}`).join("; ") || "No visits"}
          bars={groups.map((g) => ({ label: g.name, value: g.visits, text: String(g.visits) }))}
        />
        <BarChart
          id={`${id}-median`}
          title={`Median time from report to arrival ${title.toLowerCase()}`}
          desc={groups.map((g) => `${g.name}: ${formatDuration(g.median_to_arrival_seconds)}`).join("; ") || "No visits"}
          bars={groups.map((g) => ({ label: g.name, value: g.median_to_arrival_seconds, text: formatDuration(g.median_to_arrival_seconds) }))}
        />
        <BarChart
          id={`${id}-target`}
          title={`Share of visits within ${target} ${title.toLowerCase()}`}
          desc={groups.map((g) => `${g.name}: ${formatShare(g.within_target_share)}`).join("; ") || "No visits"}
          bars={groups.map((g) => ({ label: g.name, value: g.within_target_share, text: formatShare(g.within_target_share) }))}
        />
      </div>
      <p class="muted">The same figures, and the others, are in the table below.</p>
      <Table id={`${id}-table`} caption={`Figures ${title.toLowerCase()}`} rowHeader={rowHeader} groups={groups} target={stats.target_seconds} />
    </section>
  );
}

export function FiguresPage() {
  const api = useSupervisorApi();
  const [form, setForm] = useState<Filters>(emptyFilters());
  const [applied, setApplied] = useState<Filters>(emptyFilters());
  const [problems, setProblems] = useState<FilterProblem[]>([]);
  const [more, setMore] = useState<FigureFilters>(emptyFigureFilters());
  const [moreApplied, setMoreApplied] = useState<FigureFilters>(emptyFigureFilters());
  const [weekProblem, setWeekProblem] = useState<string | null>(null);
  const options = useFilterOptions();
  const queueApi = useQueueApi();
  const remote = useRemote(() => api.stats(applied, figureParams(moreApplied, "stats")), [applied, moreApplied]);
  // The pledge takes a week as its reported-at range, the dates otherwise (not both: checked).
  const pledge = useRemote(
    () => queueApi.pledge(moreApplied, moreApplied.week ? undefined : applied),
    [applied, moreApplied],
  );
  useFocusHeading("sup-figures-title", "once");
  const stats = remote.data;

  const submit = (e: Event) => {
    e.preventDefault();
    const found = checkFilters(form);
    setProblems(found);
    if (found.length > 0) {
      document.getElementById(`figures-${found[0]!.field.replace(/_/g, "-")}`)?.focus();
      return;
    }
    const week = more.week && !mondayOf(more.week) ? "Enter a date, for example 16/11/2026" : more.week && (form.date_from || form.date_to) ? "Choose a week or a date range, not both" : null;
    setWeekProblem(week);
    if (week) {
      document.getElementById("figures-week")?.focus();
      return;
    }
    setApplied({ ...form });
    setMoreApplied({ ...more });
  };

  const range = moreApplied.week
    ? `Reported in the week of ${mondayOf(moreApplied.week) ?? moreApplied.week}`
    : applied.date_from || applied.date_to
      ? `Reported ${applied.date_from ? `from ${formatDay(applied.date_from)}` : ""}${applied.date_from && applied.date_to ? " " : ""}${applied.date_to ? `to ${formatDay(applied.date_to)} inclusive` : ""}`
      : "All dates";
  return (
    <section aria-labelledby="sup-figures-title" class="sup-figures">
      <h1 id="sup-figures-title" tabIndex={-1}>Figures</h1>
      <form class="sup-filters" aria-labelledby="sup-range-title" onSubmit={submit} noValidate>
        <h2 id="sup-range-title">Which reports</h2>
        {problems.length > 0 && <p class="error" role="alert">Check the dates: {problems.map((p) => p.message).join("; ")}.</p>}
        <FilterFields idPrefix="figures" value={form} onChange={setForm} problems={problems} options={{ areas: [], teams: [], officers: [] }} datesOnly />
        <FigureFilterFields value={more} onChange={setMore} options={options} weekProblem={weekProblem} />
        <div class="sup-actions">
          <button type="submit">Show figures</button>
        </div>
      </form>
      <p role="status" class="muted">
        {remote.loading ? "Loading the figures…" : stats ? `${range}: ${stats.total.visits} ${stats.total.visits === 1 ? "visit" : "visits"}. Target: arrival within ${formatTarget(stats.target_seconds)} of the report.` : ""}
      </p>
      <Problem error={remote.error} retry={remote.reload} />
      <Problem error={pledge.error} retry={pledge.reload} />
      {pledge.data && <PledgeFigures pledge={pledge.data} />}
      {stats && (
        <>
          <section class="sup-section" aria-labelledby="sup-totals-title">
            <h2 id="sup-totals-title">All visits in your scope</h2>
            <Totals stats={stats} />
          </section>
          {stats.by_area.length > 1 && <Breakdown id="sup-area" title="By area" rowHeader="Area" groups={stats.by_area} stats={stats} />}
          <Breakdown id="sup-team" title="By team" rowHeader="Team" groups={stats.by_team} stats={stats} />
          <Breakdown id="sup-officer" title="By officer" rowHeader="Officer" groups={stats.by_officer} stats={stats} />
        </>
      )}
      <SatisfactionFigures filters={applied} />
    </section>
  );
}
