/** The queue: reports awaiting a visit in the supervisor's scope, oldest first, overdue marked. */

import { useState } from "preact/hooks";

import type { QueueReport } from "../../queue-api";
import { errorMessage, formatTarget } from "../../supervisor-api";
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
  // Later pages, fetched by "Show more": dropped whenever the first page is read again.
  const [later, setLater] = useState<{ reports: QueueReport[]; cursor: string | null } | null>(null);
  const [moreProblem, setMoreProblem] = useState<string | null>(null);
  useFocusHeading("sup-queue-title", "once");
  const first = queue.data;
  const page = first && {
    ...first,
    reports: [...first.reports, ...(later?.reports ?? [])],
    next_cursor: later ? later.cursor : first.next_cursor,
  };
  const overdue = page?.reports.filter((r) => r.overdue).length ?? 0;

  const done = (text: string) => {
    setMessage(text);
    setLater(null);
    queue.reload();
  };

  const showMore = async () => {
    if (!page?.next_cursor) return;
    setMoreProblem(null);
    try {
      const next = await api.queue(page.next_cursor);
      setLater({ reports: [...(later?.reports ?? []), ...next.reports], cursor: next.next_cursor });
    } catch (exc) {
      setMoreProblem(errorMessage(exc));
    }
  };

  return (
    <section aria-labelledby="sup-queue-title" class="sup-queue">
      <h1 id="sup-queue-title" tabIndex={-1}>Reports awaiting a visit</h1>
      <p role="status" class="muted">
        {queue.loading && !page
          ? "Loading the queue…"
          : page
            ? `${message ? `${message} ` : ""}${page.reports.length} open ${page.reports.length === 1 ? "report" : "reports"}${page.next_cursor ? " shown (the oldest; more below)" : ""}, ${overdue} overdue. Target: a visit within ${formatTarget(page.target_seconds)} of the report.`
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
      {moreProblem && <p class="error" role="alert">{moreProblem}</p>}
      {page?.next_cursor && (
        <button type="button" class="secondary" onClick={() => void showMore()}>
          Show more reports
        </button>
      )}
    </section>
  );
}
