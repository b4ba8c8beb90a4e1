/** Visits, as an administrator handles them without seeing their content: reassign, erase, retention. */

import { useFocusHeading } from "../supervisor/hooks";
import { EraseVisitForm } from "./EraseVisitForm";
import { ReassignVisitForm } from "./ReassignVisitForm";
import { RetentionPanel } from "./RetentionPanel";

export function VisitsAdminPage() {
  useFocusHeading("admin-visits-title", "once");
  return (
    <section aria-labelledby="admin-visits-title">
      <h1 id="admin-visits-title" tabIndex={-1}>Visits</h1>
      <p>
        Administrators never see what a visit holds. A visit's id comes from a supervisor (their visit page shows it) or from the audit
        log. Every action here is recorded in the audit log with its reason.
      </p>
      <ReassignVisitForm />
      <EraseVisitForm />
      <RetentionPanel />
    </section>
  );
}
