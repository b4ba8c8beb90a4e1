/** Create accounts from a CSV file: check it first (a dry run), then import; each row's outcome shown. */

import { useState } from "preact/hooks";

import { byField, checkCsv, CSV_OPTIONAL, CSV_REQUIRED, type ImportResult } from "../../admin-api";
import { useFocusHeading } from "../supervisor/hooks";
import { FormProblems } from "./FormProblems";
import { focusProblem, useAction, useAdminApi } from "./hooks";
import { ImportResults } from "./ImportResults";

const LABELS: Record<string, string> = { file: "CSV file", csv: "CSV file" };
for (const c of [...CSV_REQUIRED, ...CSV_OPTIONAL]) LABELS[`csv.${c}`] = `Column ${c}`;

export function ImportPage() {
  const api = useAdminApi();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const action = useAction("import");
  useFocusHeading("admin-import-title", "once");
  const errors = byField(action.problems);
  const fileError = errors["file"] ?? errors["csv"] ?? Object.entries(errors).find(([k]) => k.startsWith("csv."))?.[1];

  const choose = async (input: HTMLInputElement) => {
    setResult(null);
    action.setProblems([]);
    const chosen = input.files?.[0];
    if (!chosen) {
      setFile(null);
      return;
    }
    setFile({ name: chosen.name, text: await chosen.text() });
  };

  const send = async (dryRun: boolean) => {
    setResult(null);
    const bad = file ? checkCsv(file.text) : "Choose the CSV file to import";
    if (bad) {
      const found = [{ field: "file", message: bad }];
      action.setProblems(found);
      setTimeout(() => focusProblem("import", found), 0);
      return;
    }
    const done = await action.run(() => api.importOfficers(file!.text, dryRun));
    if (done) setResult(done);
  };

  return (
    <section aria-labelledby="admin-import-title">
      <h1 id="admin-import-title" tabIndex={-1}>Import officers</h1>
      <p>
        A CSV file with a header row naming the columns <code>{CSV_REQUIRED.join(", ")}</code> (required) and any of{" "}
        <code>{CSV_OPTIONAL.join(", ")}</code>, then one account a row (up to 5,000). Teams and areas that do not exist yet are created.
        Good rows are created even when others fail; check the file first to see every problem without creating anything.
      </p>
      <form class="sup-filters" aria-labelledby="admin-import-form-title" onSubmit={(e) => e.preventDefault()} noValidate>
        <h2 id="admin-import-form-title">The file</h2>
        <FormProblems form="import" action={action} labels={LABELS} what="The file was not imported" />
        <div class={fileError ? "field invalid" : "field"}>
          <label for="import-file">CSV file</label>
          <p class="hint" id="import-file-hint">Saved as CSV (UTF-8) from a spreadsheet; at most 1 MB.</p>
          <input
            id="import-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            aria-invalid={fileError ? true : undefined}
            aria-describedby={`import-file-hint${fileError ? " import-file-error" : ""}`}
            onChange={(e) => void choose(e.currentTarget)}
          />
          {fileError && <p class="error" id="import-file-error">{fileError}</p>}
        </div>
        <div class="sup-actions">
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void send(true)}>Check the file</button>
          <button type="button" disabled={action.busy} onClick={() => void send(false)}>Import</button>
        </div>
      </form>
      {result && <ImportResults result={result} />}
    </section>
  );
}
