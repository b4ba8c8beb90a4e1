/** One account: its details, edit, move team, deactivate or reactivate, an enrolment code, its devices. */

import { roleLabel, type AdminOfficer } from "../../admin-api";
import { formatDateTime } from "../../supervisor-api";
import { useFocusHeading, useRemote } from "../supervisor/hooks";
import { Problem } from "../supervisor/Problem";
import { Facts } from "../supervisor/VisitPage";
import { AccountStatusForm } from "./AccountStatusForm";
import { DevicesPanel } from "./DevicesPanel";
import { EditOfficerForm } from "./EditOfficerForm";
import { EnrolmentCodePanel } from "./EnrolmentCodePanel";
import { useAdminApi } from "./hooks";
import { MoveOfficerForm } from "./MoveOfficerForm";

export function OfficerPage({ id }: { id: string }) {
  const api = useAdminApi();
  const remote = useRemote(() => api.officer(id), [id]);
  const o = remote.data;
  useFocusHeading("admin-officer-title", o ? id : null);
  if (!o) {
    return (
      <section aria-labelledby="admin-officer-title">
        <p><a href="#/admin/officers">Back to officers</a></p>
        <h1 id="admin-officer-title" tabIndex={-1}>Officer</h1>
        {remote.loading && <p role="status">Loading the account…</p>}
        <Problem error={remote.error} retry={remote.reload} />
      </section>
    );
  }
  const changed = (_: AdminOfficer) => remote.reload();
  return (
    <article aria-labelledby="admin-officer-title">
      <p><a href="#/admin/officers">Back to officers</a></p>
      <h1 id="admin-officer-title" tabIndex={-1}>{o.display_name} ({o.collar_number})</h1>
      <Problem error={remote.error} retry={remote.reload} />
      <Facts
        id="admin-officer-summary"
        facts={[
          { label: "Role", value: roleLabel(o.role) + (o.role === "supervisor" ? (o.supervision_scope === "area" ? ", every team in the area" : ", own team") : "") },
          { label: "Team", value: o.team_name },
          { label: "Area", value: o.area_name },
          { label: "Status", value: o.active ? "Active" : "Deactivated" },
          { label: "Contact phone", value: o.contact_phone },
          { label: "Contact e-mail", value: o.contact_email },
          { label: "Created", value: formatDateTime(o.created_at) },
          { label: "Account id", value: o.id },
        ]}
      />
      <EditOfficerForm officer={o} onSaved={changed} />
      <MoveOfficerForm officer={o} onMoved={changed} />
      <AccountStatusForm officer={o} onChanged={changed} />
      <EnrolmentCodePanel officer={o} />
      <DevicesPanel officer={o} />
    </article>
  );
}
