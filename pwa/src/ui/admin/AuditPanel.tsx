/** The "Audit" panel of the supervisor's visit page: the trail loads on request (reading it is audited). */

import { useState } from "preact/hooks";

import { AuditTrail } from "./AuditTrail";
import "./admin.css";

export function AuditPanel({ visitId }: { visitId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <section class="sup-section" aria-labelledby="sup-sec-audit">
      <h2 id="sup-sec-audit" tabIndex={-1}>Audit</h2>
      <p>Visit id <code class="admin-id" data-testid="visit-id">{visitId}</code> (an administrator needs it to reassign or erase the visit).</p>
      {open ? (
        <AuditTrail visitId={visitId} />
      ) : (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>Show the audit trail</button>
      )}
    </section>
  );
}
