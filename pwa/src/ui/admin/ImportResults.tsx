/** The outcome of an import or a check: totals, then every row with its problems by column. */

import type { ImportResult } from "../../admin-api";

const OUTCOME = { created: "Created", valid: "Would be created", failed: "Not created" } as const;

export function ImportResults({ result }: { result: ImportResult }) {
  const ok = result.rows.filter((r) => r.status !== "failed").length;
  return (
    <section class="sup-section" aria-labelledby="admin-import-result-title">
      <h2 id="admin-import-result-title">{result.dry_run ? "Check of the file (nothing created)" : "Import result"}</h2>
      <p role="status" data-testid="import-summary">
        {result.dry_run
          ? `${ok} ${ok === 1 ? "row is" : "rows are"} ready to import; ${result.failed} ${result.failed === 1 ? "row has" : "rows have"} problems.`
          : `${result.created} ${result.created === 1 ? "account" : "accounts"} created; ${result.failed} ${result.failed === 1 ? "row" : "rows"} not created.`}
        {result.teams_created.length > 0 && ` Teams ${result.dry_run ? "that would be " : ""}created: ${result.teams_created.join(", ")}.`}
      </p>
      {result.failed > 0 && <p class="error" role="alert">Fix the rows marked “Not created” in the file and import it again: rows already created are refused as taken.</p>}
      <div class="sup-table-scroll" role="region" aria-labelledby="admin-import-caption" tabIndex={0}>
        <table class="sup-table admin-table">
          <caption id="admin-import-caption">Every row of the file (line 1 is the header)</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Collar number</th>
              <th scope="col">Outcome</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr key={r.row} class={r.status === "failed" ? "admin-row-failed" : undefined}>
                <th scope="row">{r.row}</th>
                <td>{r.collar_number}</td>
                <td>{OUTCOME[r.status]}</td>
                <td>
                  {r.errors.length === 0 ? (
                    <span class="muted">None</span>
                  ) : (
                    <ul class="sup-plain">
                      {r.errors.map((e) => (
                        <li key={e.field + e.message}>
                          <strong>{e.field}</strong>: {e.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
