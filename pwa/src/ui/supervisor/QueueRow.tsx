/** One report in the queue: its age against the target, who holds it, assign and close. */

import { useState } from "preact/hooks";

import { CLOSE_REASONS, formatAge, type Assignees, type CloseReason, type QueueReport } from "../../queue-api";
import { errorMessage, formatDateTime } from "../../supervisor-api";
import { useQueueApi } from "./useQueueApi";

function holder(r: QueueReport): string {
  if (r.assigned_officer) return `${r.assigned_officer.display_name} (${r.assigned_officer.collar_number})`;
  if (r.held_by_team && r.team) return `${r.team.name} (nobody named)`;
  return "Nobody";
}

interface Props {
  report: QueueReport;
  assignees: Assignees | undefined;
  onDone: (message: string) => void;
}

export function QueueRow({ report: r, assignees, onDone }: Props) {
  const api = useQueueApi();
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (what: string) => `queue-${r.id}-${what}`;
  const awaiting = r.state === "awaiting";

  const run = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
      onDone(done);
    } catch (exc) {
      setProblem(errorMessage(exc));
    } finally {
      setBusy(false);
    }
  };

  const assign = (e: Event) => {
    e.preventDefault();
    if (!to) return setProblem("Choose an officer or a team to assign this report to");
    const [kind, value] = to.split(":") as [string, string];
    const body = kind === "team" ? { team_id: Number(value) } : { officer_id: value };
    void run(() => api.assign(r.id, body), `${r.crime_reference} assigned.`);
  };

  const close = (e: Event) => {
    e.preventDefault();
    if (!reason) return setProblem("Choose why this report is closed without a visit");
    void run(() => api.close(r.id, reason as CloseReason, note.trim()), `${r.crime_reference} closed without a visit.`);
  };

  return (
    <li class={r.overdue ? "sup-queue-row overdue" : "sup-queue-row"}>
      <h2 id={id("title")} class="sup-queue-title">
        {r.crime_reference}
        {r.overdue && <span class="sup-overdue"> Overdue</span>}
      </h2>
      <p>
        {r.address.line1}, {r.address.postcode} - {r.victim.name}
        {r.repeat_computed ? " - repeat victim" : ""}
      </p>
      <p class="muted">
        Reported {formatDateTime(r.reported_at)}; waiting {formatAge(r.age_seconds)}
        {r.overdue ? `, past the target since ${formatDateTime(r.due_at)}` : `, due by ${formatDateTime(r.due_at)}`}.
        {" "}Assigned to: {holder(r)}.{r.state === "in_progress" ? " Visit in progress." : ""}
      </p>
      {problem && <p class="error" role="alert" id={id("problem")}>{problem}</p>}
      {awaiting && (
        <div class="sup-queue-actions">
          <form onSubmit={assign} aria-labelledby={id("title")}>
            <label for={id("to")}>{r.assigned_officer || r.held_by_team ? "Reassign to" : "Assign to"}</label>
            <select id={id("to")} value={to} onChange={(e) => setTo(e.currentTarget.value)}>
              <option value="">Choose an officer or team</option>
              <optgroup label="Officers">
                {(assignees?.officers ?? []).map((o) => (
                  <option key={o.id} value={`officer:${o.id}`}>{`${o.display_name} (${o.collar_number})`}</option>
                ))}
              </optgroup>
              <optgroup label="Teams">
                {(assignees?.teams ?? []).map((t) => (
                  <option key={t.id} value={`team:${t.id}`}>{t.name}</option>
                ))}
              </optgroup>
            </select>
            <button type="submit" disabled={busy}>{r.assigned_officer || r.held_by_team ? "Reassign" : "Assign"}</button>
          </form>
          <form onSubmit={close} aria-labelledby={id("title")}>
            <label for={id("reason")}>Close without a visit because</label>
            <select id={id("reason")} value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              <option value="">Choose a reason</option>
              {CLOSE_REASONS.map((c) => (
                <option key={c.value} value={c.value}>{c.label}</option>
              ))}
            </select>
            <label for={id("note")}>Note (optional)</label>
            <input id={id("note")} type="text" maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            <button type="submit" class="secondary" disabled={busy}>Close report</button>
          </form>
        </div>
      )}
    </li>
  );
}
