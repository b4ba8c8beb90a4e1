/** Shared UI state: the app services in a context, and hooks that re-read on every change. */

import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";

import type { AppServices } from "../services/app-services";
import type { CollectionName, LocalRecord } from "../model/types";

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const app = useContext(AppContext);
  if (!app) throw new Error("AppContext missing");
  return app;
}

/** The app's change counter: components that read the store re-read when it moves. */
export function useVersion(): number {
  const app = useApp();
  const [version, setVersion] = useState(app.version);
  useEffect(() => app.subscribe(() => setVersion(app.version)), [app]);
  return version;
}

/** Load something from the store, again whenever data changes. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): T | undefined {
  const version = useVersion();
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let live = true;
    load().then((v) => live && setValue(v)).catch(() => undefined);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, ...deps]);
  return value;
}

export function useRecord(collection: CollectionName, id: string): LocalRecord | null | undefined {
  const app = useApp();
  const rec = useLoad(async () => (await app.store.records.get(collection, id)) ?? null, [collection, id]);
  return rec;
}

/** The current hash route. */
export function useRoute(): string {
  const [hash, setHash] = useState(typeof location === "undefined" ? "" : location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
