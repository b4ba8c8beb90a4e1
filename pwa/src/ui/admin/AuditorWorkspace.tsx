/**
 * The auditor's workspace (online only, read-only): a visit's audit trail and a search of the
 * whole audit log. Auditors see no victim's record anywhere and keep nothing on the device.
 */

import type { Route } from "../router";
import { useApp } from "../hooks";
import { UpdatePrompt } from "../UpdatePrompt";
import { AuditLogSearch } from "./AuditLogSearch";
import { AuditVisitPage } from "./AuditVisitPage";
import { useOnline } from "./hooks";
import "../supervisor/supervisor.css";
import "./admin.css";

export function AuditorWorkspace({ route }: { route: Route }) {
  const app = useApp();
  const online = useOnline();
  const p = app.session.profile;
  const path = route.name === "audit" ? route.path : [];
  const visitId = path[0] === "visits" && path[1] ? path[1] : null;
  const current: "visit" | "log" = path[0] === "log" ? "log" : "visit";
  const skip = (e: Event) => {
    e.preventDefault();
    document.getElementById("main")?.focus();
  };
  const signOut = async () => {
    if (!window.confirm("Sign out and remove Doorstep's data from this device?")) return;
    await app.session.signOut();
  };
  return (
    <>
      <a class="skip-link" href="#main" onClick={skip}>Skip to content</a>
      <header class="app-header sup-header">
        <a class="brand" href="#/audit">Doorstep</a>
        <nav aria-label="Main">
          <ul>
            <li><a href="#/audit" aria-current={current === "visit" ? "page" : undefined}>A visit's audit</a></li>
            <li><a href="#/audit/log" aria-current={current === "log" ? "page" : undefined}>Search the audit log</a></li>
          </ul>
        </nav>
        <div class="sup-who">
          <span>{p ? `${p.officer.display_name} (${p.officer.collar_number}), auditor` : ""}</span>
          <button type="button" class="sup-signout" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <UpdatePrompt />
      {!online && <p class="sup-offline" role="status">You are offline. The audit works online only: nothing is kept on this device.</p>}
      <main id="main" class="sup-main" tabIndex={-1}>
        {current === "log" ? <AuditLogSearch /> : <AuditVisitPage key={visitId ?? ""} visitId={visitId} />}
      </main>
    </>
  );
}
