/** The app frame: landmarks, the always-visible sync bar, prompts and the routed page. */

import type { AppServices } from "../services/app-services";
import { AboutPage } from "./AboutPage";
import { DeviceNotices } from "./DeviceNotices";
import { EnrolScreen } from "./EnrolScreen";
import { AppContext, useRoute, useVersion } from "./hooks";
import { LeaveBehind } from "./LeaveBehind";
import { LockScreen } from "./LockScreen";
import { NeedsAttention } from "./NeedsAttention";
import { OtherOfficersWork } from "./OtherOfficersWork";
import { RevokedScreen } from "./RevokedScreen";
import { PinChange } from "./PinChange";
import { PinSetup } from "./PinSetup";
import { PurgedVisits } from "./PurgedVisits";
import { parseRoute } from "./router";
import { SignInPrompt } from "./SignInPrompt";
import { SignOutWipe } from "./SignOutWipe";
import { AssignedReports } from "./AssignedReports";
import { AdminWorkspace } from "./admin/AdminWorkspace";
import { AuditorWorkspace } from "./admin/AuditorWorkspace";
import { SupervisorWorkspace } from "./supervisor/Workspace";
import { SyncBar } from "./SyncBar";
import { UpdatePrompt } from "./UpdatePrompt";
import { VisitEditor } from "./VisitEditor";
import { VisitList } from "./VisitList";

function Frame({ app }: { app: AppServices }) {
  useVersion();
  const hash = useRoute();
  const route = parseRoute(hash);
  // Device security (docs/device-security.md): "#/sign-out" is the sign-out-and-wipe screen.
  const wipeRoute = hash.startsWith("#/sign-out");
  // A shared phone: another officer signs in while this officer's data stays locked.
  const anotherRoute = hash.startsWith("#/another-officer");
  if (app.session.revoked) return <RevokedScreen />;
  if (app.session.pinSetup) return <PinSetup />;
  if (!app.session.enrolled) return <EnrolScreen />;
  if (app.deviceLock.locked) {
    if (wipeRoute) return <main id="main" class="enrol" tabIndex={-1}><SignOutWipe /></main>;
    return anotherRoute ? <EnrolScreen another /> : <LockScreen />;
  }
  if (app.keys.pinChangeRequired) return <PinChange />;
  // A device added to this account since: shown over any page until answered (issue 14 item 6).
  const notices = <DeviceNotices />;
  // Supervisors, administrators and auditors get their online workspaces.
  if (app.session.profile?.officer.role === "supervisor") return <>{notices}<SupervisorWorkspace route={route} /></>;
  if (app.session.profile?.officer.role === "admin") return <>{notices}<AdminWorkspace route={route} /></>;
  if (app.session.profile?.officer.role === "auditor") return <>{notices}<AuditorWorkspace route={route} /></>;
  let page;
  switch (route.name) {
    case "visit":
      page = <VisitEditor key={route.id} id={route.id} section={route.section} focus={route.focus} />;
      break;
    case "leave":
      page = <LeaveBehind id={route.id} />;
      break;
    case "attention":
      page = <NeedsAttention />;
      break;
    case "about":
      page = <AboutPage />;
      break;
    default:
      page = <VisitList />;
  }
  if (wipeRoute) page = <SignOutWipe />;
  else if (route.name === "list") page = <><OtherOfficersWork />{page}<AssignedReports /><PurgedVisits /></>;
  return (
    <>
      {notices}
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="app-header no-print">
        <a class="brand" href="#/">Doorstep</a>
        <nav aria-label="Main">
          <ul>
            <li><a href="#/" aria-current={route.name === "list" ? "page" : undefined}>My visits</a></li>
            <li><a href="#/attention" aria-current={route.name === "attention" ? "page" : undefined}>Needs attention</a></li>
            <li><a href="#/about" aria-current={route.name === "about" ? "page" : undefined}>This phone</a></li>
          </ul>
        </nav>
      </header>
      <div class="no-print">
        <SyncBar />
        {app.syncClient.status.signinNeeded && <SignInPrompt />}
        <UpdatePrompt />
      </div>
      <main id="main" tabIndex={-1}>{page}</main>
    </>
  );
}

export function App({ app }: { app: AppServices }) {
  return (
    <AppContext.Provider value={app}>
      <Frame app={app} />
    </AppContext.Provider>
  );
}
