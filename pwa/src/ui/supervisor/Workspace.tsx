/**
 * The supervisor's workspace (online only): find and read visits, approve or return them, the
 * pledge figures and the audited CSV export. Nothing of it is kept on the device.
 */

import { useEffect, useState } from "preact/hooks";

import type { Route } from "../router";
import { useApp } from "../hooks";
import { UpdatePrompt } from "../UpdatePrompt";
import { ExportPage } from "./ExportPage";
import { FiguresPage } from "./FiguresPage";
import { QueuePage } from "./QueuePage";
import { OverduePage } from "./OverduePage";
import { VisitPage } from "./VisitPage";
import { VisitsPage } from "./VisitsPage";
import "./supervisor.css";

function useOnline(): boolean {
  const [online, setOnline] = useState(typeof navigator === "undefined" ? true : navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(navigator.onLine);
    window.addEventListener("online", on);
    window.addEventListener("offline", on);
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", on);
    };
  }, []);
  return online;
}

export function SupervisorWorkspace({ route }: { route: Route }) {
  const app = useApp();
  const online = useOnline();
  const p = app.session.profile;
  let page;
  let current: "visits" | "figures" | "export" | "queue" | "overdue" = "visits";
  switch (route.name) {
    case "sup-visit":
      page = <VisitPage key={route.id} id={route.id} />;
      break;
    case "sup-figures":
      page = <FiguresPage />;
      current = "figures";
      break;
    case "sup-export":
      page = <ExportPage />;
      current = "export";
      break;
    case "sup-queue":
      page = <QueuePage />;
      current = "queue";
      break;
    case "sup-overdue":
      page = <OverduePage />;
      current = "overdue";
      break;
    case "sup-visits":
      page = <VisitsPage query={route.query} />;
      break;
    default:
      page = <VisitsPage query="" />;
  }
  const skip = (e: Event) => {
    // The address holds the route: move focus without changing it.
    e.preventDefault();
    document.getElementById("main")?.focus();
  };
  const signOut = async () => {
    if (!window.confirm("Sign out and remove Doorstep's data from this device?")) return;
    await app.session.signOut();
  };
  const nav = (href: string, name: typeof current, label: string) => (
    <li>
      <a href={href} aria-current={current === name ? "page" : undefined}>{label}</a>
    </li>
  );
  return (
    <>
      <a class="skip-link" href="#main" onClick={skip}>Skip to content</a>
      <header class="app-header sup-header">
        <a class="brand" href="#/visits">Doorstep</a>
        <nav aria-label="Main">
          <ul>
            {nav("#/visits", "visits", "Visits")}
            {nav("#/queue", "queue", "Queue")}
            {nav("#/overdue", "overdue", "Updates overdue")}
            {nav("#/figures", "figures", "Figures")}
            {nav("#/export", "export", "Export")}
          </ul>
        </nav>
        <div class="sup-who">
          <span>{p ? `${p.officer.display_name} (${p.officer.collar_number}), ${p.team.area_name}` : ""}</span>
          <button type="button" class="sup-signout" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <UpdatePrompt />
      {!online && (
        <p class="sup-offline" role="status">You are offline. The supervisor's workspace works online only: nothing is kept on this device.</p>
      )}
      <main id="main" class="sup-main" tabIndex={-1}>{page}</main>
    </>
  );
}
