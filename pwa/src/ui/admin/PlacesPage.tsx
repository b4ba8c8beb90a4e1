/** Teams and areas: list, create and rename (a team stays in its area: move its officers instead). */

import { useState } from "preact/hooks";

import { useFocusHeading, useRemote } from "../supervisor/hooks";
import { Problem } from "../supervisor/Problem";
import { useAdminApi } from "./hooks";
import { NewAreaForm } from "./NewAreaForm";
import { NewTeamForm } from "./NewTeamForm";
import { RenameForm } from "./RenameForm";

export function PlacesPage() {
  const api = useAdminApi();
  const teams = useRemote(() => api.teams(), []);
  const areas = useRemote(() => api.areas(), []);
  const [done, setDone] = useState<string | null>(null);
  useFocusHeading("admin-places-title", "once");
  const changed = (message: string) => {
    setDone(message);
    teams.reload();
    areas.reload();
  };
  const teamList = [...(teams.data?.teams ?? [])].sort((a, b) => a.area_name.localeCompare(b.area_name) || a.name.localeCompare(b.name));
  return (
    <section aria-labelledby="admin-places-title">
      <h1 id="admin-places-title" tabIndex={-1}>Teams and areas</h1>
      <p>
        Names are unique. A team cannot move to another area (its visits carry their area): create a team there and move its officers
        instead.
      </p>
      {done && <p class="note" role="status">{done}</p>}
      <div class="admin-columns">
        <section class="sup-section" aria-labelledby="admin-teams-title">
          <h2 id="admin-teams-title">Teams</h2>
          <Problem error={teams.error} retry={teams.reload} />
          <ul class="sup-plain admin-places" aria-label="Teams">
            {teamList.map((t) => (
              <li key={t.id}>
                <span><strong>{t.name}</strong> <span class="muted">({t.area_name})</span></span>
                <RenameForm form={`team-${t.id}`} what="team" name={t.name} save={async (name) => changed(`Team renamed to ${(await api.renameTeam(t.id, name)).name}.`)} />
              </li>
            ))}
          </ul>
          <NewTeamForm areas={areas.data?.areas ?? []} onCreated={(t) => changed(`Team ${t.name} created in ${t.area_name}.`)} />
        </section>
        <section class="sup-section" aria-labelledby="admin-areas-title">
          <h2 id="admin-areas-title">Areas</h2>
          <Problem error={areas.error} retry={areas.reload} />
          <ul class="sup-plain admin-places" aria-label="Areas">
            {(areas.data?.areas ?? []).map((a) => (
              <li key={a.id}>
                <strong>{a.name}</strong>
                <RenameForm form={`area-${a.id}`} what="area" name={a.name} save={async (name) => changed(`Area renamed to ${(await api.renameArea(a.id, name)).name}.`)} />
              </li>
            ))}
          </ul>
          <NewAreaForm onCreated={(a) => changed(`Area ${a.name} created.`)} />
        </section>
      </div>
    </section>
  );
}
