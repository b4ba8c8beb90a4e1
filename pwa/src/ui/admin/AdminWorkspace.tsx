/**
 * The administrator's workspace (online only): accounts, bulk import, teams and areas, devices
 * and enrolment codes, reassigning and erasing a visit, and the advice catalogue. Nothing of it
 * is kept on the device; every change is audited by the server.
 */

import type { Route } from "../router";
import { useApp } from "../hooks";
import { UpdatePrompt } from "../UpdatePrompt";
import { AdvicePage } from "./AdvicePage";
import { CreateOfficerPage } from "./CreateOfficerPage";
import { useOnline } from "./hooks";
import { ImportPage } from "./ImportPage";
import { OfficerPage } from "./OfficerPage";
import { OfficersPage } from "./OfficersPage";
import { PlacesPage } from "./PlacesPage";
import { VisitsAdminPage } from "./VisitsAdminPage";
import "../supervisor/supervisor.css";
import "./admin.css";

type Current = "officers" | "import" | "places" | "visits" | "advice";

export function AdminWorkspace({ route }: { route: Route }) {
  const app = useApp();
  const online = useOnline();
  const p = app.session.profile;
  const path = route.name === "admin" ? route.path : [];
  let page;
  let current: Current = "officers";
  if (path[0] === "officers" && path[1] === "new") page = <CreateOfficerPage />;
  else if (path[0] === "officers" && path[1]) page = <OfficerPage key={path[1]} id={path[1]} />;
  else if (path[0] === "import") {
    page = <ImportPage />;
    current = "import";
  } else if (path[0] === "places") {
    page = <PlacesPage />;
    current = "places";
  } else if (path[0] === "visits") {
    page = <VisitsAdminPage />;
    current = "visits";
  } else if (path[0] === "advice") {
    page = <AdvicePage />;
    current = "advice";
  } else page = <OfficersPage />;

  const skip = (e: Event) => {
    e.preventDefault();
    document.getElementById("main")?.focus();
  };
  const signOut = async () => {
    if (!window.confirm("Sign out and remove Doorstep's data from this device?")) return;
    await app.session.signOut();
  };
  const nav = (href: string, name: Current, label: string) => (
    <li>
      <a href={href} aria-current={current === name ? "page" : undefined}>{label}</a>
    </li>
  );
  return (
    <>
      <a class="skip-link" href="#main" onClick={skip}>Skip to content</a>
      <header class="app-header sup-header">
        <a class="brand" href="#/admin/officers">Doorstep</a>
        <nav aria-label="Main">
          <ul>
            {nav("#/admin/officers", "officers", "Officers")}
            {nav("#/admin/import", "import", "Import")}
            {nav("#/admin/places", "places", "Teams and areas")}
            {nav("#/admin/visits", "visits", "Visits")}
            {nav("#/admin/advice", "advice", "Advice")}
          </ul>
        </nav>
        <div class="sup-who">
          <span>{p ? `${p.officer.display_name} (${p.officer.collar_number}), administrator` : ""}</span>
          <button type="button" class="sup-signout" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <UpdatePrompt />
      {!online && (
        <p class="sup-offline" role="status">You are offline. The administrator's workspace works online only: nothing is kept on this device.</p>
      )}
      <main id="main" class="sup-main" tabIndex={-1}>{page}</main>
    </>
  );
}
