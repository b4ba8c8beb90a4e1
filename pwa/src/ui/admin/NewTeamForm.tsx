/** Create a team in an area (the area is created if new). */

import { useState } from "preact/hooks";

import { byField, type Area, type FieldProblem, type Team } from "../../admin-api";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { TextField } from "./TextField";

const LABELS = { name: "Team name", area: "Area of the team" };

export function NewTeamForm({ areas, onCreated }: { areas: Area[]; onCreated: (t: Team) => void }) {
  const api = useAdminApi();
  const [name, setName] = useState("");
  const [area, setArea] = useState("");
  const action = useAction("team");
  const errors = byField(action.problems);
  const submit = async (e: Event) => {
    e.preventDefault();
    const found: FieldProblem[] = [];
    if (!name.trim()) found.push({ field: "name", message: "Enter the team's name" });
    if (!area.trim()) found.push({ field: "area", message: "Enter or choose the area" });
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem("team", found), 0);
      return;
    }
    const team = await action.run(() => api.createTeam(name, area));
    if (team) {
      setName("");
      setArea("");
      onCreated(team);
    }
  };
  return (
    <form class="sup-filters" aria-labelledby="admin-new-team-title" onSubmit={(e) => void submit(e)} noValidate>
      <h3 id="admin-new-team-title">New team</h3>
      <FormProblems form="team" action={action} labels={LABELS} what="The team was not created" />
      <div class="admin-grid">
        <TextField form="team" name="name" label={LABELS.name} value={name} onInput={setName} error={errors["name"]} required maxLength={120} />
        <TextField form="team" name="area" label={LABELS.area} hint="An existing area, or a new one" list="team-areas" value={area} onInput={setArea} error={errors["area"]} required maxLength={120} />
      </div>
      <datalist id="team-areas">
        {areas.map((a) => <option key={a.id} value={a.name} />)}
      </datalist>
      <button type="submit" disabled={action.busy}>Create the team</button>
    </form>
  );
}
