/** "Check and complete": what is still missing (with links to each field), and "Complete visit". */

import { useState } from "preact/hooks";

import { completionChecks } from "../model/completion";
import { officerMayEdit } from "../sync";
import type { SectionProps } from "./sectionProps";
import { useApp } from "./hooks";
import { visitHref } from "./router";

export function CompletePanel({ visit, drafts }: SectionProps) {
  const app = useApp();
  const [message, setMessage] = useState<string | null>(null);
  const status = String(visit.fields["status"] ?? "draft");
  const problems = completionChecks(visit.fields, drafts);
  const editable = officerMayEdit(status);

  const complete = async () => {
    await app.flushAll();
    if (problems.length > 0) {
      setMessage(`This visit cannot be completed yet: ${problems.length} ${problems.length === 1 ? "thing needs" : "things need"} attention.`);
      document.getElementById("completion-checks")?.focus();
      return;
    }
    await app.edit({ collection: "visits", id: visit.id, visit_id: visit.id, fields: { status: "completed" } });
    setMessage("Visit completed. It will go to your supervisor when the phone syncs.");
  };

  const remove = async () => {
    if (!window.confirm("Delete this draft visit and everything in it?")) return;
    await app.edit({ collection: "visits", id: visit.id, visit_id: visit.id, op: "delete" });
    location.hash = "#/";
  };

  return (
    <>
      <section aria-labelledby="completion-checks" class="checks">
        <h3 id="completion-checks" tabIndex={-1}>
          {problems.length === 0 ? "Ready to complete" : `Still needed (${problems.length})`}
        </h3>
        {problems.length > 0 && (
          <ul class="problems">
            {problems.map((p) => (
              <li key={`${p.path}-${p.message}`}>
                <a href={visitHref(visit.id, p.section, p.path)}>{p.label}</a>: {p.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      {editable ? (
        <button type="button" class="primary" aria-disabled={problems.length > 0 ? "true" : undefined} onClick={() => void complete()}>
          Complete visit
        </button>
      ) : (
        <p class="note">This visit is {status}: it is locked for editing.</p>
      )}
      {message && <p role="status" class="note">{message}</p>}
      <p>
        <a class="button secondary" href={`#/visit/${visit.id}/leave-behind`}>Leave-behind for the victim</a>
      </p>
      {status === "draft" && (
        <button type="button" class="secondary danger" onClick={() => void remove()}>
          Delete draft visit
        </button>
      )}
    </>
  );
}
