/** The app frame: landmarks, the always-visible sync bar, prompts and the routed page. */

import type { AppServices } from "../app";
import { AboutPage } from "./AboutPage";
import { EnrolScreen } from "./EnrolScreen";
import { AppContext, useRoute, useVersion } from "./hooks";
import { LeaveBehind } from "./LeaveBehind";
import { NeedsAttention } from "./NeedsAttention";
import { RevokedScreen } from "./RevokedScreen";
import { parseRoute } from "./router";
import { SignInPrompt } from "./SignInPrompt";
import { SyncBar } from "./SyncBar";
import { UpdatePrompt } from "./UpdatePrompt";
import { VisitEditor } from "./VisitEditor";
import { VisitList } from "./VisitList";

function Frame({ app }: { app: AppServices }) {
  useVersion();
  const route = parseRoute(useRoute());
  if (app.revoked) return <RevokedScreen />;
  if (!app.enrolled) return <EnrolScreen />;
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
  return (
    <>
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
        {app.sync.status.signinNeeded && <SignInPrompt />}
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
