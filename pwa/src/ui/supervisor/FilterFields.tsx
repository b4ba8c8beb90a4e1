/** The visit filters (list, export): dates, status, crime reference, postcode, team, officer. */

import { emptyFilters, type FilterProblem, type Filters } from "../../supervisor-api";
import { useApp } from "../hooks";
import { useRemote, useSupervisorApi } from "./hooks";

export interface Choice {
  value: string;
  label: string;
}

export interface FilterOptions {
  areas: Choice[];
  teams: Choice[];
  officers: Choice[];
}

export const STATUS_CHOICES: Choice[] = [
  { value: "completed", label: "Completed, awaiting review" },
  { value: "returned", label: "Returned to officer" },
  { value: "approved", label: "Approved" },
  { value: "draft", label: "Draft (not completed yet)" },
];

const byLabel = (a: Choice, b: Choice) => a.label.localeCompare(b.label, "en-GB");

/** Teams, officers and areas with visits in the supervisor's scope (from the figures). */
export function useFilterOptions(): FilterOptions {
  const app = useApp();
  const api = useSupervisorApi();
  const stats = useRemote(() => api.stats(emptyFilters()), []);
  const teams = (stats.data?.by_team ?? []).map((g) => ({ value: g.key, label: g.name }));
  const own = app.session.profile?.team;
  if (own && !teams.some((t) => t.value === String(own.id))) teams.push({ value: String(own.id), label: own.name });
  return {
    areas: (stats.data?.by_area ?? []).map((g) => ({ value: g.key, label: g.name })).sort(byLabel),
    teams: teams.sort(byLabel),
    officers: (stats.data?.by_officer ?? []).map((g) => ({ value: g.key, label: g.name })).sort(byLabel),
  };
}

interface Props {
  idPrefix: string;
  value: Filters;
  onChange: (f: Filters) => void;
  problems: FilterProblem[];
  options: FilterOptions;
  /** Only the date range (the figures). */
  datesOnly?: boolean;
}

export function FilterFields({ idPrefix, value, onChange, problems, options, datesOnly = false }: Props) {
  const set = (key: keyof Filters, v: string) => onChange({ ...value, [key]: v });
  const problem = (key: keyof Filters) => problems.find((p) => p.field === key)?.message;
  const id = (key: string) => `${idPrefix}-${key.replace(/_/g, "-")}`;

  const text = (key: "crime_reference" | "postcode", label: string, hint: string) => {
    const error = problem(key);
    return (
      <div class={error ? "field invalid" : "field"}>
        <label for={id(key)}>{label}</label>
        <p class="hint" id={`${id(key)}-hint`}>{hint}</p>
        <input
          id={id(key)}
          name={key}
          type="text"
          autocomplete="off"
          spellcheck={false}
          value={value[key]}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id(key)}-hint${error ? ` ${id(key)}-error` : ""}`}
          onInput={(e) => set(key, e.currentTarget.value)}
        />
        {error && <p class="error" id={`${id(key)}-error`}>{error}</p>}
      </div>
    );
  };

  const date = (key: "date_from" | "date_to", label: string) => {
    const error = problem(key);
    return (
      <div class={error ? "field invalid" : "field"}>
        <label for={id(key)}>{label}</label>
        <input
          id={id(key)}
          name={key}
          type="date"
          value={value[key]}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id(key)}-error` : undefined}
          onInput={(e) => set(key, e.currentTarget.value)}
        />
        {error && <p class="error" id={`${id(key)}-error`}>{error}</p>}
      </div>
    );
  };

  const select = (key: "status" | "area" | "team" | "officer", label: string, any: string, choices: Choice[]) => (
    <div class="field">
      <label for={id(key)}>{label}</label>
      <select id={id(key)} name={key} value={value[key]} onChange={(e) => set(key, e.currentTarget.value)}>
        <option value="">{any}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>{c.label}</option>
        ))}
        {value[key] && !choices.some((c) => c.value === value[key]) && <option value={value[key]}>{value[key]}</option>}
      </select>
    </div>
  );

  return (
    <div class="sup-filter-grid">
      {date("date_from", "Reported from")}
      {date("date_to", "Reported to (inclusive)")}
      {!datesOnly && (
        <>
          {select("status", "Status", "Any status", STATUS_CHOICES)}
          {text("crime_reference", "Crime reference", "The whole reference or its beginning")}
          {text("postcode", "Postcode", "A whole postcode or its first part, such as WR3")}
          {options.areas.length > 1 && select("area", "Area", "Any area", options.areas)}
          {select("team", "Team", "Any team", options.teams)}
          {select("officer", "Officer", "Any officer", options.officers)}
        </>
      )}
    </div>
  );
}
