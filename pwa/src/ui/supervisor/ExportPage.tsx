/**
 * Export visits: the one-table CSV, or the complete export (every collection, names not ids) as
 * a zip of CSV or JSON Lines files; the same filters and a required reason (audited).
 */

import { useState } from "preact/hooks";

import {
  checkFilters,
  checkReason,
  emptyFilters,
  errorMessage,
  exportUrl,
  needsSignIn,
  REASON_MAX,
  REASON_MIN,
  type ExportKind,
  type FilterProblem,
  type Filters,
} from "../../supervisor-api";
import { FilterFields, useFilterOptions } from "./FilterFields";
import { useFocusHeading, useSupervisorApi } from "./hooks";
import { SignInAgain } from "./SignInAgain";
import "./supervisor.css";

const KINDS: Array<{ value: ExportKind; label: string }> = [
  { value: "csv", label: "Visits, one row each (CSV)" },
  { value: "zip-csv", label: "Complete export: every collection as CSV files in a zip" },
  { value: "zip-jsonl", label: "Complete export: every collection as JSON Lines files in a zip" },
];

export function ExportPage() {
  const api = useSupervisorApi();
  const options = useFilterOptions();
  const [form, setForm] = useState<Filters>(emptyFilters());
  const [reason, setReason] = useState("");
  const [kind, setKind] = useState<ExportKind>("csv");
  const [problems, setProblems] = useState<FilterProblem[]>([]);
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [started, setStarted] = useState(false);
  const [busy, setBusy] = useState(false);
  useFocusHeading("sup-export-title", "once");

  const submit = async (e: Event) => {
    e.preventDefault();
    setStarted(false);
    setFailure(null);
    const found = checkFilters(form);
    const bad = checkReason(reason);
    setProblems(found);
    setReasonError(bad);
    if (found.length > 0) {
      document.getElementById(`export-${found[0]!.field.replace(/_/g, "-")}`)?.focus();
      return;
    }
    if (bad) {
      document.getElementById("export-reason")?.focus();
      return;
    }
    setBusy(true);
    try {
      // A navigation cannot show an error in the app: check the session first.
      await api.me();
      // A same-origin GET: the session cookie goes with it, the answer is a download.
      window.location.assign(exportUrl(form, reason, kind));
      setStarted(true);
    } catch (exc) {
      setFailure(exc);
    } finally {
      setBusy(false);
    }
  };

  const described = ["export-reason-hint", reasonError ? "export-reason-error" : ""].filter(Boolean).join(" ");
  return (
    <section aria-labelledby="sup-export-title">
      <h1 id="sup-export-title" tabIndex={-1}>Export visits</h1>
      <p>
        Download the visits matching the filters as a CSV file, or everything recorded about them (property, kits, photos with their
        hashes, advice given, reviews) as a zip of files. Every export is recorded in the audit log with who, when, which visits
        and why. Keep the file on a force device and delete it when you no longer need it.
      </p>
      <form class="sup-filters" aria-labelledby="sup-export-filters-title" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="sup-export-filters-title">Which visits</h2>
        {(problems.length > 0 || reasonError) && (
          <p class="error" role="alert">
            The export was not started: {[...problems.map((p) => p.message), ...(reasonError ? [reasonError] : [])].join("; ")}.
          </p>
        )}
        <FilterFields idPrefix="export" value={form} onChange={setForm} problems={problems} options={options} />
        <div class={reasonError ? "field invalid" : "field"}>
          <label for="export-reason">Reason for export</label>
          <p class="hint" id="export-reason-hint">
            Required, {REASON_MIN} to {REASON_MAX} characters, for example “Monthly pledge return to the Chief Inspector”.
          </p>
          <textarea
            id="export-reason"
            name="reason"
            rows={3}
            required
            aria-required="true"
            maxLength={REASON_MAX}
            value={reason}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={described}
            onInput={(e) => {
              setReason(e.currentTarget.value);
              if (reasonError) setReasonError(null);
            }}
          />
          {reasonError && <p class="error" id="export-reason-error">{reasonError}</p>}
        </div>
        <fieldset class="field choice">
          <legend>What to download</legend>
          {KINDS.map((k) => (
            <label key={k.value} class="choice-item">
              <input type="radio" name="kind" value={k.value} checked={kind === k.value} onChange={() => setKind(k.value)} /> {k.label}
            </label>
          ))}
        </fieldset>
        <div class="sup-actions">
          <button type="submit" disabled={busy}>{kind === "csv" ? "Download CSV" : "Download zip"}</button>
        </div>
      </form>
      {started && <p class="note" role="status">Your download has started. It is recorded in the audit log.</p>}
      {failure !== null &&
        (needsSignIn(failure) ? (
          <SignInAgain onSignedIn={() => setFailure(null)} />
        ) : (
          <p class="error" role="alert">The export was not started: {errorMessage(failure)}</p>
        ))}
    </section>
  );
}
