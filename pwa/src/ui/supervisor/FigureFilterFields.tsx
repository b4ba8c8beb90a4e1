/** The figures' own filters beside the dates: week, offence type, area, team and officer. */

import { OFFENCE_CHOICES, type FigureFilters } from "../../queue-api";
import type { Choice, FilterOptions } from "./FilterFields";

interface Props {
  value: FigureFilters;
  onChange: (f: FigureFilters) => void;
  options: FilterOptions;
  weekProblem: string | null;
}

export function FigureFilterFields({ value, onChange, options, weekProblem }: Props) {
  const set = (key: keyof FigureFilters, v: string) => onChange({ ...value, [key]: v });
  const select = (key: "offence_type" | "area" | "team" | "officer", label: string, any: string, choices: Choice[]) => (
    <div class="field">
      <label for={`figures-${key.replace(/_/g, "-")}`}>{label}</label>
      <select id={`figures-${key.replace(/_/g, "-")}`} name={key} value={value[key]} onChange={(e) => set(key, e.currentTarget.value)}>
        <option value="">{any}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>{c.label}</option>
        ))}
      </select>
    </div>
  );
  return (
    <div class="sup-filter-grid">
      <div class={weekProblem ? "field invalid" : "field"}>
        <label for="figures-week">Week reported</label>
        <p class="hint" id="figures-week-hint">Any day of the week (weeks run Monday to Sunday, UTC)</p>
        <input
          id="figures-week"
          name="week"
          type="date"
          value={value.week}
          aria-invalid={weekProblem ? true : undefined}
          aria-describedby={`figures-week-hint${weekProblem ? " figures-week-error" : ""}`}
          onInput={(e) => set("week", e.currentTarget.value)}
        />
        {weekProblem && <p class="error" id="figures-week-error">{weekProblem}</p>}
      </div>
      {select("offence_type", "Offence type", "Any offence type", OFFENCE_CHOICES)}
      {options.areas.length > 1 && select("area", "Area", "Any area", options.areas)}
      {select("team", "Team", "Any team", options.teams)}
      {select("officer", "Officer", "Any officer", options.officers)}
    </div>
  );
}
