/**
 * Everything the officer must look at: changes the server refused (kept, never dropped),
 * conflicting values to choose between (sent with _resolve), photos that failed, sign-in,
 * a broken sync sequence, low storage.
 */

import { fieldLabel, sectionOf } from "../model/fields";
import type { LocalRecord, OutboxEntry } from "../model/types";
import { RESOLVE_KEY, type JSONValue } from "../sync";
import { useApp, useLoad, useVersion } from "./hooks";
import { visitHref } from "./router";

const COLLECTION_NAMES: Record<string, string> = {
  visits: "Visit", property_items: "Property item", kit_issues: "Kit", photos: "Photo",
  addenda: "Addendum", victim_updates: "Victim update", survey_responses: "Survey answers", leave_behinds: "Leave-behind",
};

const AFTERCARE = new Set(["addenda", "victim_updates", "survey_responses", "leave_behinds"]);

function show(value: JSONValue | undefined): string {
  if (value === null || value === undefined || value === "") return "(empty)";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ");
  return String(value);
}

function sectionFor(collection: string, path: string): string {
  if (collection === "visits") return sectionOf(path);
  if (AFTERCARE.has(collection)) return "aftercare";
  return collection === "property_items" ? "property" : collection === "kit_issues" ? "kits" : "photos";
}

export function NeedsAttention() {
  const app = useApp();
  useVersion();
  const data = useLoad(async () => {
    const [entries, photos] = await Promise.all([app.store.outbox.list(), app.store.photos.states()]);
    const records: LocalRecord[] = [];
    for (const c of ["visits", "property_items", "kit_issues", "photos"] as const) records.push(...(await app.store.records.list(c)));
    return { rejected: entries.filter((e) => e.state === "rejected" && !e.dismissed), conflicted: records.filter((r) => r.conflicts.length > 0), failedPhotos: photos.filter((p) => p.upload_state === "failed") };
  }, []);
  const status = app.syncClient.status;

  const again = (e: OutboxEntry) => {
    const fields = { ...e.fields };
    delete fields[RESOLVE_KEY];
    return app.edit({ collection: e.collection, id: e.id, visit_id: e.visit_id, fields, op: e.op, coalesce: false });
  };
  const keep = (r: LocalRecord, field: string) =>
    app.edit({ collection: r.collection, id: r.id, visit_id: r.visit_id, fields: {}, resolve: [field], coalesce: false });
  const useOther = (r: LocalRecord, field: string, value: JSONValue) =>
    app.edit({ collection: r.collection, id: r.id, visit_id: r.visit_id, fields: { [field]: value }, resolve: [field], coalesce: false });

  const nothing =
    data && data.rejected.length === 0 && data.conflicted.length === 0 && data.failedPhotos.length === 0 &&
    !status.signinNeeded && !status.seqBroken && !app.storageHealth.low;

  return (
    <section aria-labelledby="attention-title">
      <h1 id="attention-title">Needs attention</h1>
      {nothing && <p>Nothing needs your attention.</p>}
      {status.seqBroken && (
        <div class="problem-card">
          <h2>Sync has stopped</h2>
          <p>The server and this phone disagree about which changes were sent ({status.lastError ?? "sequence broken"}). Everything is still on this phone.</p>
          <button type="button" onClick={() => void app.syncClient.recoverSequence().then(() => app.triggers.syncNow(true))}>Send my changes again</button>
        </div>
      )}
      {app.storageHealth.low && (
        <div class="problem-card">
          <h2>Storage is low</h2>
          <p>This phone is running out of space for visits and photos. Sync as soon as you have signal, and free some space.</p>
        </div>
      )}
      {data && data.rejected.length > 0 && (
        <>
          <h2>Changes the server refused ({data.rejected.length})</h2>
          <ul class="attention-list">
            {data.rejected.map((e) => {
              const paths = Object.keys(e.fields).filter((p) => p !== RESOLVE_KEY);
              const first = paths[0] ?? "";
              const visitId = e.visit_id ?? e.id;
              return (
                <li key={e.qid} class="problem-card">
                  <p>
                    <strong>{COLLECTION_NAMES[e.collection]}{e.op === "delete" ? " deletion" : ""}</strong>
                    {paths.length > 0 && `: ${paths.map((p) => `${fieldLabel(e.collection, p)} = ${show(e.fields[p])}`).join("; ")}`}
                  </p>
                  <p class="error">{e.result?.error?.message ?? "Refused"} ({e.result?.error?.code})</p>
                  <div class="row">
                    <a class="button secondary" href={visitHref(visitId, sectionFor(e.collection, first), e.collection === "visits" && first ? first : undefined)}>Edit</a>
                    <button type="button" class="secondary" onClick={() => void again(e)}>Send again</button>
                    <button type="button" class="secondary" onClick={() => void app.store.outbox.dismiss(e.qid as number).then(() => app.changed(false))}>Dismiss</button>
                  </div>
                </li>
              );
            })}
          </ul>
        </>
      )}
      {data && data.conflicted.length > 0 && (
        <>
          <h2>Conflicting values</h2>
          <p>Someone else changed these while you were editing. The value shown as current is in the record; pick the one to keep.</p>
          <ul class="attention-list">
            {data.conflicted.flatMap((r) =>
              r.conflicts.map((c, i) => (
                <li key={`${r.id}-${c.field}-${i}`} class="problem-card">
                  <p><strong>{COLLECTION_NAMES[r.collection]}: {fieldLabel(r.collection, c.field)}</strong></p>
                  <p>Current value: {show(r.fields[c.field])}</p>
                  <p>Other value: {show(c.value)}</p>
                  <div class="row">
                    <button type="button" class="secondary" onClick={() => void keep(r, c.field)}>Keep current value<span class="visually-hidden"> of {fieldLabel(r.collection, c.field)}</span></button>
                    <button type="button" class="secondary" onClick={() => void useOther(r, c.field, c.value)}>Use other value<span class="visually-hidden"> of {fieldLabel(r.collection, c.field)}</span></button>
                  </div>
                </li>
              )),
            )}
          </ul>
        </>
      )}
      {data && data.failedPhotos.length > 0 && (
        <>
          <h2>Photos that could not be sent</h2>
          <ul class="attention-list">
            {data.failedPhotos.map((p) => (
              <li key={p.id} class="problem-card">
                <p>{p.upload_error ?? "Upload failed"}. The photo is kept on this phone.</p>
                <a href={visitHref(p.visit_id, "photos")}>Open the visit's photos</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
