/** One advice item at its current version, with its earlier versions, edit and retire. */

import { useState } from "preact/hooks";

import type { AdviceVersion } from "../../admin-api";
import { formatDateTime } from "../../supervisor-api";
import { AdviceItemForm } from "./AdviceItemForm";
import { RetireAdviceForm } from "./RetireAdviceForm";

export function AdviceCard({ current, older, onChanged }: { current: AdviceVersion; older: AdviceVersion[]; onChanged: (message: string) => void }) {
  const [mode, setMode] = useState<"view" | "edit" | "retire">("view");
  const titleId = `advice-title-${current.item_id}`;
  return (
    <li class="card">
      <h3 id={titleId}>
        {current.title}
        {current.retired && <span class="muted"> (retired)</span>}
      </h3>
      <p class="muted">
        {current.category} · item {current.item_id}, version {current.version} · position {current.position}
        {current.tags.length > 0 && ` · tags ${current.tags.join(", ")}`} · {formatDateTime(current.created_at)}
      </p>
      <p class="admin-advice-body">{current.body}</p>
      {mode === "edit" && (
        <AdviceItemForm
          before={current}
          onCancel={() => setMode("view")}
          onSaved={(v) => {
            setMode("view");
            onChanged(`Version ${v.version} of ${v.title} published. Phones receive it at their next sync.`);
          }}
        />
      )}
      {mode === "retire" && (
        <RetireAdviceForm
          item={current}
          onCancel={() => setMode("view")}
          onRetired={(v) => {
            setMode("view");
            onChanged(`${v.title} retired: no longer offered. Visits that ticked it keep it.`);
          }}
        />
      )}
      {mode === "view" && !current.retired && (
        <div class="sup-actions">
          <button type="button" class="secondary" aria-label={`Edit ${current.title}`} onClick={() => setMode("edit")}>Edit</button>
          <button type="button" class="secondary" aria-label={`Retire ${current.title}`} onClick={() => setMode("retire")}>Retire</button>
        </div>
      )}
      {older.length > 0 && (
        <details>
          <summary>Earlier versions ({older.length})</summary>
          <ol class="sup-plain">
            {older.map((v) => (
              <li key={v.record_id}>
                <strong>Version {v.version}</strong>: {v.title} <span class="muted">({v.category}, {formatDateTime(v.created_at)})</span>
                <p class="admin-advice-body">{v.body}</p>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}
