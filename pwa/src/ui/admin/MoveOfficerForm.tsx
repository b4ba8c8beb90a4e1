/** Move an account to another team: their visits stay theirs; their phone re-pulls in the new scope. */

import { useState } from "preact/hooks";

import { byField, checkReasonText, type AdminOfficer, type FieldProblem } from "../../admin-api";
import { useRemote } from "../supervisor/hooks";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

const LABELS = { team_id: "New team", reason: "Reason for the move" };

export function MoveOfficerForm({ officer, onMoved }: { officer: AdminOfficer; onMoved: (o: AdminOfficer) => void }) {
  const api = useAdminApi();
  const teams = useRemote(() => api.teams(), []);
  const [team, setTeam] = useState("");
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction("move");
  const errors = byField(action.problems);
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const found: FieldProblem[] = [];
    if (!team) found.push({ field: "team_id", message: "Choose the team to move them to" });
    if (reason.trim()) {
      const bad = checkReasonText(reason, 0, 500);
      if (bad) found.push({ field: "reason", message: bad });
    }
    if (found.length > 0) {
      action.setProblems(found);
      setTimeout(() => focusProblem("move", found), 0);
      return;
    }
    const moved = await action.run(() => api.moveOfficer(officer.id, Number(team), reason));
    if (moved) {
      setDone(`Moved to ${moved.team_name} (${moved.area_name}). Their visits stay theirs; their phone follows at its next sync.`);
      setTeam("");
      setReason("");
      onMoved(moved);
    }
  };
  const choices = (teams.data?.teams ?? []).filter((t) => t.id !== officer.team_id).map((t) => ({ value: String(t.id), label: `${t.name} (${t.area_name})` }));
  return (
    <section class="sup-section" aria-labelledby="admin-move-title">
      <h2 id="admin-move-title">Move to another team</h2>
      <p>Now in {officer.team_name}, {officer.area_name}.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormProblems form="move" action={action} labels={LABELS} what="Not moved" />
        <div class="admin-grid">
          <SelectField form="move" name="team_id" label={LABELS.team_id} value={team} onChange={setTeam} placeholder="Choose a team" choices={choices} error={errors["team_id"]} />
          <TextField form="move" name="reason" label={LABELS.reason} hint="Optional; kept in the audit log" value={reason} onInput={setReason} error={errors["reason"]} maxLength={500} />
        </div>
        <div class="sup-actions">
          <button type="submit" disabled={action.busy}>Move</button>
        </div>
        {done && <p class="note" role="status">{done}</p>}
      </form>
    </section>
  );
}
