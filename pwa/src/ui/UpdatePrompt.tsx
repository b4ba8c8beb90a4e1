/**
 * A new version of the app waits (its service worker is installed but not in control); it is
 * offered only when nothing is being edited, and takes over after every keystroke is saved.
 */

import { useEffect, useState } from "preact/hooks";

import { useApp } from "./hooks";

function editing(): boolean {
  const el = document.activeElement;
  return !!el && el.matches("input, textarea, select, [contenteditable]");
}

export function UpdatePrompt() {
  const app = useApp();
  const [waiting, setWaiting] = useState<ServiceWorker | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!("serviceWorker" in navigator)) return undefined;
    let reg: ServiceWorkerRegistration | undefined;
    const check = () => {
      if (reg?.waiting && navigator.serviceWorker.controller) setWaiting(reg.waiting);
    };
    const onFocus = () => setBusy(editing());
    document.addEventListener("focusin", onFocus);
    document.addEventListener("focusout", () => setTimeout(onFocus, 0));
    void navigator.serviceWorker.getRegistration().then((r) => {
      reg = r;
      check();
      r?.addEventListener("updatefound", () => {
        const sw = r.installing;
        sw?.addEventListener("statechange", check);
      });
    });
    const timer = setInterval(() => void reg?.update().catch(() => undefined), 30 * 60_000);
    return () => {
      clearInterval(timer);
      document.removeEventListener("focusin", onFocus);
    };
  }, []);

  if (!waiting || busy) return null;
  const reload = async () => {
    await app.flushAll();
    navigator.serviceWorker.addEventListener("controllerchange", () => location.reload());
    waiting.postMessage({ type: "SKIP_WAITING" });
  };
  return (
    <div class="update" role="region" aria-label="App update">
      <p>A new version of Doorstep is ready.</p>
      <button type="button" onClick={() => void reload()}>Reload to update</button>
    </div>
  );
}
