/** The queue: reports awaiting a visit in the supervisor's scope, oldest first, overdue marked. */

import { useState } from "preact/hooks";

import { formatTarget } from "../../supervisor-api";
import { useFocusHeading, useRemote } from "./hooks";
import { Problem } from "./Problem";
import { QueueRow } from "./QueueRow";
import { useQueueApi } from "./useQueueApi";
import "./supervisor.css";

export function QueuePage() {
  const api = useQueueApi();
  const queue = useRemote(() => api.queue(), []);
  const assignees = useRemote(() => api.assignees(), []);
  const [message, setMessage] = useState("");
  useFocusHeading("sup-queue-title", "once");
  const page = queue.data;
  const overdue = page?.reports.filter((r) => r.overdue).length ?? 0;

  const done = (text: string) => {
    setMessage(text);
    queue.reload();
  };

  return (
    <section aria-labelledby="sup-queue-title" class="sup-queue">
      <h1 id="sup-queue-title" tabIndex={-1}>Reports awaiting a visit</h1>
      <p role="status" class="muted">
        {queue.loading && !page
          ? "Loading the queue…"
          : page
            ? `${message ? `${message} ` : ""}${page.reports.length} open ${page.reports.length === 1 ? "report" : "reports"}${page.next_cursor ? " (the oldest shown)" : ""}, ${overdue} overdue. Target: a visit within ${formatTarget(page.target_seconds)} of the report.`
            : message}
      </p>
      <Problem error={queue.error ?? assignees.error} retry={() => {
        queue.reload();
        assignees.reload();
      }} />
      {page && page.reports.length === 0 && <p>No reports are waiting for a visit in your team or area.</p>}
      <ul class="sup-queue-list">
        {(page?.reports ?? []).map((r) => (
          <QueueRow key={`${r.id}-${r.rev}`} report={r} assignees={assignees.data} onDone={done} />
        ))}
      </ul>
    </section>
  );
}
