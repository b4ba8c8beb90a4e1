/** Loading from the server for the supervisor's screens: loading, error and data, and retry. */

import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";

import { SupervisorApi } from "../../supervisor-api";
import { useApp } from "../hooks";

export function useSupervisorApi(): SupervisorApi {
  const app = useApp();
  return useMemo(() => new SupervisorApi(app.api), [app]);
}

export interface Remote<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Run `load` now and whenever `deps` change; a stale answer never overwrites a newer one. */
export function useRemote<T>(load: () => Promise<T>, deps: unknown[]): Remote<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const run = useRef(0);
  useEffect(() => {
    const mine = ++run.current;
    setState((s) => ({ ...s, error: null, loading: true }));
    load().then(
      (data) => mine === run.current && setState({ data, error: null, loading: false }),
      (error: unknown) => mine === run.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick, ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Move focus to the page heading when a screen opens (screen readers hear where they are). */
export function useFocusHeading(id: string, key: unknown): void {
  useEffect(() => {
    const el = document.getElementById(id);
    if (el && document.activeElement !== el) el.focus({ preventScroll: false });
  }, [key]);
}
