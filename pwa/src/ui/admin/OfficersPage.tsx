/** Every account, by collar number, filtered by team, role or whether active. */

import { useState } from "preact/hooks";

import { findOfficers, roleLabel, ROLES, type Role } from "../../admin-api";
import { useFocusHeading, useRemote } from "../supervisor/hooks";
import { Problem } from "../supervisor/Problem";
import { useAdminApi } from "./hooks";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

export function OfficersPage() {
  const api = useAdminApi();
  const [team, setTeam] = useState("");
  const [role, setRole] = useState("");
  const [active, setActive] = useState("true");
  const [find, setFind] = useState("");
  const teams = useRemote(() => api.teams(), []);
  const list = useRemote(
    () =>
      api.officers({
        ...(team ? { team_id: Number(team) } : {}),
        ...(role ? { role: role as Role } : {}),
        ...(active ? { active: active === "true" } : {}),
      }),
    [team, role, active],
  );
  useFocusHeading("admin-officers-title", "once");
  const officers = findOfficers(list.data?.officers ?? [], find);
  return (
    <section aria-labelledby="admin-officers-title">
      <h1 id="admin-officers-title" tabIndex={-1}>Officers</h1>
      <p class="sup-actions">
        <a class="button" href="#/admin/officers/new">Create an officer</a>
        <a class="button secondary" href="#/admin/import">Import officers from a CSV file</a>
      </p>
      <form class="sup-filters" aria-label="Filter the officers" onSubmit={(e) => e.preventDefault()}>
        <div class="sup-filter-grid admin-grid">
          <TextField form="officers" name="find" type="search" label="Find by name or collar number" value={find} onInput={setFind} />
          <SelectField
            form="officers"
            name="team"
            label="Team"
            value={team}
            onChange={setTeam}
            placeholder="Any team"
            choices={(teams.data?.teams ?? []).map((t) => ({ value: String(t.id), label: `${t.name} (${t.area_name})` }))}
          />
          <SelectField form="officers" name="role" label="Role" value={role} onChange={setRole} placeholder="Any role" choices={ROLES} />
          <SelectField
            form="officers"
            name="active"
            label="Accounts"
            value={active}
            onChange={setActive}
            placeholder="Active and deactivated"
            choices={[
              { value: "true", label: "Active only" },
              { value: "false", label: "Deactivated only" },
            ]}
          />
        </div>
      </form>
      <Problem error={list.error} retry={list.reload} />
      {list.loading && !list.data && <p role="status">Loading the officers…</p>}
      {list.data && (
        <div class="sup-table-scroll" role="region" aria-labelledby="admin-officers-caption" tabIndex={0}>
          <table class="sup-table admin-table">
            <caption id="admin-officers-caption" data-testid="officer-count">
              {officers.length} {officers.length === 1 ? "account" : "accounts"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Collar number</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Team and area</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {officers.map((o) => (
                <tr key={o.id}>
                  <td>{o.collar_number}</td>
                  <th scope="row"><a href={`#/admin/officers/${o.id}`}>{o.display_name}</a></th>
                  <td>{roleLabel(o.role)}</td>
                  <td>
                    {o.team_name}
                    <span class="muted">{o.area_name}</span>
                  </td>
                  <td>{o.active ? "Active" : "Deactivated"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
