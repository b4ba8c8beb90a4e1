/** Entry point: open the local data, render, register the service worker, start syncing. */

import { render } from "preact";

import { AppServices } from "./services/app-services";
import "./styles/app.css";
import { App } from "./ui/App";

async function main(): Promise<void> {
  const root = document.getElementById("app") as HTMLElement;
  let app: AppServices;
  try {
    app = await AppServices.start();
  } catch (exc) {
    root.textContent = `Doorstep cannot open its storage on this phone: ${exc instanceof Error ? exc.message : String(exc)}`;
    return;
  }
  render(<App app={app} />, root);
  if ("serviceWorker" in navigator && import.meta.env.PROD) {
    navigator.serviceWorker.register("/sw.js", { scope: "/", type: "classic" }).catch(() => undefined);
  }
  app.triggers.start();
}

void main();
