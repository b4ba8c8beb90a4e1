/** The supervisor's visit list: filters (kept in the address so "Back" restores them), newest first, "Load more". */

import { useEffect, useRef, useState } from "preact/hooks";

import { STATUS_LABELS } from "../../model/fields";
import {
  checkFilters,
  filtersFromQuery,
  filtersToQuery,
  formatDateTime,
  type FilterProblem,
  type Filters,
  type VisitSummary,
} from "../../supervisor-api";
import { FilterFields, useFilterOptions } from "./FilterFields";
import { useFocusHeading, useSupervisorApi } from "./hooks";
import { Problem } from "./Problem";
import "./supervisor.css";

const PAGE = 25;

let lastQuery = "";

/** The list as the supervisor last filtered it (kept in memory only). */
export function lastListHref(): string {
  return lastQuery ? `#/visits?${lastQuery}` : "#/visits";
}

export function supervisorVisitHref(id: string): string {
  return `#/visits/${id}`;
}

export function VisitsPage({ query }: { query: string }) {
  const api = useSupervisorApi();
  const options = useFilterOptions();
  const applied = filtersFromQuery(query);
  const [form, setForm] = useState<Filters>(applied);
  const [problems, setProblems] = useState<FilterProblem[]>([]);
  const [visits, setVisits] = useState<VisitSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useFocusHeading("sup-visits-title", "once");
  lastQuery = query;

  const shownQuery = useRef(query);
  // A new query (submitted filters, Back): start again from the first page.
  useEffect(() => {
    let live = true;
    // Only a different address resets the form (never what is being typed as the page opens).
    if (shownQuery.current !== query) setForm(filtersFromQuery(query));
    shownQuery.current = query;
    setLoading(true);
    setError(null);
    api.listVisits(filtersFromQuery(query), null, PAGE).then(
      (page) => {
        if (!live) return;
        setVisits(page.visits);
        setCursor(page.next_cursor);
        setLoading(false);
      },
      (exc: unknown) => {
        if (!live) return;
        setError(exc);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [query, tick]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page = await api.listVisits(applied, cursor, PAGE);
      const first = visits.length;
      setVisits([...visits, ...page.visits]);
      setCursor(page.next_cursor);
      // Keyboard and screen-reader users land on the first new row.
      setTimeout(() => document.querySelectorAll<HTMLAnchorElement>(".sup-visit-list a")[first]?.focus(), 0);
    } catch (exc) {
      setError(exc);
    } finally {
      setLoading(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const found = checkFilters(form);
    setProblems(found);
    if (found.length > 0) {
      document.getElementById(`list-${found[0]!.field.replace(/_/g, "-")}`)?.focus();
      return;
    }
    const q = filtersToQuery(form);
    if (q === query) setTick((t) => t + 1);
    else location.hash = q ? `#/visits?${q}` : "#/visits";
  };

  const clear = () => {
    setProblems([]);
    location.hash = "#/visits";
  };

  const filtered = filtersToQuery(applied) !== "";
  return (
    <section aria-labelledby="sup-visits-title">
      <h1 id="sup-visits-title" tabIndex={-1}>Visits</h1>
      <form class="sup-filters" aria-labelledby="sup-filters-title" onSubmit={submit} noValidate>
        <h2 id="sup-filters-title">Find visits</h2>
        {problems.length > 0 && (
          <p class="error" role="alert">
            Check the filters: {problems.map((p) => p.message).join("; ")}.
          </p>
        )}
        <FilterFields idPrefix="list" value={form} onChange={setForm} problems={problems} options={options} />
        <div class="sup-actions">
          <button type="submit">Apply filters</button>
          <button type="button" class="secondary" onClick={clear}>Clear filters</button>
        </div>
      </form>

      <h2 id="sup-results-title">Results</h2>
      <p role="status" class="muted" data-testid="visit-count">
        {loading && visits.length === 0
          ? "Loading visits…"
          : `${visits.length} ${visits.length === 1 ? "visit" : "visits"}${cursor ? " shown, more to load" : ""}${filtered ? " matching the filters" : ""}, newest first.`}
      </p>
      <ul class="sup-visit-list" aria-labelledby="sup-results-title">
        {visits.map((v) => (
          <li key={v.id}>
            <a href={supervisorVisitHref(v.id)}>
              <span class="visit-title">{v.crime_reference ?? "No crime reference"}</span>
              <span class="sup-row-where">{[v.address_line1, v.town, v.postcode].filter(Boolean).join(", ") || "No address recorded"}</span>
              <span class="sup-row-meta">
                <span class={`status status-${v.status}`}>{STATUS_LABELS[v.status] ?? v.status}</span>{" "}
                <span>{v.officer.display_name} ({v.officer.collar_number})</span>
              </span>
              <span class="sup-row-meta muted">
                Reported {v.reported_at ? formatDateTime(v.reported_at) : "(not recorded)"}
                {v.completed_at ? `, completed ${formatDateTime(v.completed_at)}` : ""}
              </span>
            </a>
          </li>
        ))}
      </ul>
      {!loading && !error && visits.length === 0 && <p>No visits match. Change or clear the filters.</p>}
      <Problem error={error} retry={() => (cursor && visits.length > 0 ? void loadMore() : setTick((t) => t + 1))} />
      {cursor && (
        <button type="button" class="secondary" disabled={loading} onClick={() => void loadMore()}>
          {loading ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  );
}
