/** The administrator's and auditor's screens: their API client, online state and form actions. */

import { useEffect, useMemo, useState } from "preact/hooks";

import { AdminApi, problemsFrom, type FieldProblem } from "../../admin-api";
import { needsSignIn } from "../../supervisor-api";
import { useApp } from "../hooks";

export function useAdminApi(): AdminApi {
  const app = useApp();
  return useMemo(() => new AdminApi(app.api), [app]);
}

export function useOnline(): boolean {
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

/** The id of a form field: `prefix-field-name` (`collar_number` in form `new` is `new-collar-number`). */
export function fieldId(prefix: string, field: string): string {
  return `${prefix}-${field.replace(/[_.]/g, "-")}`;
}

/** Move focus to the first field with a problem (or the form's alert when none is named). */
export function focusProblem(prefix: string, problems: FieldProblem[]): void {
  const named = problems.find((p) => p.field && document.getElementById(fieldId(prefix, p.field)));
  const el = named ? document.getElementById(fieldId(prefix, named.field)) : document.getElementById(`${prefix}-alert`);
  el?.focus();
}

export interface Action {
  problems: FieldProblem[];
  setProblems: (p: FieldProblem[]) => void;
  busy: boolean;
  /** The session ended: the form offers a passkey sign-in. */
  signIn: boolean;
  clearSignIn: () => void;
  /** Run a call to the server; its error becomes field problems (focus moves to the first). */
  run: <T>(call: () => Promise<T>) => Promise<T | undefined>;
}

export function useAction(prefix: string): Action {
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const [signIn, setSignIn] = useState(false);
  const run = async <T,>(call: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setProblems([]);
    try {
      return await call();
    } catch (exc) {
      if (needsSignIn(exc)) {
        setSignIn(true);
      } else {
        const found = problemsFrom(exc);
        setProblems(found);
        setTimeout(() => focusProblem(prefix, found), 0);
      }
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { problems, setProblems, busy, signIn, clearSignIn: () => setSignIn(false), run };
}
