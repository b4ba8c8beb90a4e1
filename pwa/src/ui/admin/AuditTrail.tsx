/** A visit's audit trail, oldest first, a page at a time (reading it is itself audited). */

import { useState } from "preact/hooks";

import type { AuditRow } from "../../admin-api";
import { useRemote } from "../supervisor/hooks";
import { Problem } from "../supervisor/Problem";
import { AuditTable } from "./AuditTable";
import { useAdminApi } from "./hooks";

export function AuditTrail({ visitId }: { visitId: string }) {
  const api = useAdminApi();
  const first = useRemote(() => api.visitAudit(visitId), [visitId]);
  const [more, setMore] = useState<{ rows: AuditRow[]; cursor: string | null; error: unknown }>({ rows: [], cursor: null, error: null });
  const [busy, setBusy] = useState(false);
  if (!first.data) {
    return (
      <>
        {first.loading && <p role="status">Loading the audit trail…</p>}
        <Problem error={first.error} retry={first.reload} />
      </>
    );
  }
  const rows = [...first.data.rows, ...more.rows];
  const cursor = more.rows.length > 0 ? more.cursor : first.data.next_cursor;
  const next = async () => {
    if (!cursor) return;
    setBusy(true);
    try {
      const page = await api.visitAudit(visitId, cursor);
      setMore((m) => ({ rows: [...m.rows, ...page.rows], cursor: page.next_cursor, error: null }));
    } catch (error) {
      setMore((m) => ({ ...m, error }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p class="muted">Who collected, viewed, changed, exported or erased the visit and its records, oldest first. Your reading is recorded too.</p>
      <AuditTable id={`audit-${visitId}`} caption={`Audit trail of visit ${visitId} (${rows.length} ${rows.length === 1 ? "entry" : "entries"})`} rows={rows} />
      <Problem error={more.error} retry={() => void next()} />
      {cursor && (
        <button type="button" class="secondary" disabled={busy} onClick={() => void next()}>Show more entries</button>
      )}
    </>
  );
}
