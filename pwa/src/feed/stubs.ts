/** What a pull does to the stubs of purged visits (pure). */

import { TERMINAL_STATUSES, type VisitStub } from "../purge/rules";
import { visitOf, type PullChange } from "./page";

/**
 * Apply pulled changes to the stubs of purged visits. Changes for a purged visit are dropped
 * while it stays completed/approved (the stub takes the new status); a tombstone drops the
 * stub; any other status (returned for correction) drops the stub and lets the visit and its
 * changes in, and asks for a full pull so its child records come back too.
 */
export function applyToStubs(
  stubs: VisitStub[],
  changes: PullChange[],
): { stubs: VisitStub[]; changes: PullChange[]; changed: boolean; reopened: boolean } {
  if (stubs.length === 0) return { stubs, changes, changed: false, reopened: false };
  const byId = new Map(stubs.map((s) => [s.id, s]));
  const kept = new Set(byId.keys());
  const reopened = new Set<string>();
  let changed = false;
  for (const c of changes) {
    if (c.collection !== "visits" || !byId.has(c.id)) continue;
    const status = c.record?.["status"];
    if (c.deleted) {
      byId.delete(c.id);
      changed = true;
    } else if (typeof status === "string" && TERMINAL_STATUSES.has(status)) {
      const stub = byId.get(c.id) as VisitStub;
      if (stub.status !== status) {
        byId.set(c.id, { ...stub, status });
        changed = true;
      }
    } else {
      byId.delete(c.id);
      kept.delete(c.id);
      reopened.add(c.id);
      changed = true;
    }
  }
  const filtered = changes.filter((c) => {
    const v = visitOf(c);
    return v === null || !kept.has(v);
  });
  return { stubs: [...byId.values()], changes: filtered, changed, reopened: reopened.size > 0 };
}
