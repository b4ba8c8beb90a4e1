/**
 * "Sign out and wipe": first shows exactly what has not reached the server (per visit when the
 * app is unlocked; counts only when it is locked), then asks again, then ends the session and
 * deletes this officer's database and key (and, when no other officer's data is on the phone,
 * every cache and the service worker too). Other officers' databases are not touched.
 */

import { useState } from "preact/hooks";

import type { OutboxEntry } from "../model/types";
import { formatBytes, useApp, useLoad } from "./hooks";

interface VisitPending {
  visitId: string;
  reference: string;
  queued: number;
  refused: number;
  photos: number;
  drafts: number;
}

interface Unsynced {
  changes: number;
  refused: number;
  photos: number;
  photoBytes: number;
  drafts: number;
  visits: VisitPending[] | null; // null: locked, no details
}

async function loadUnsynced(app: ReturnType<typeof useApp>): Promise<Unsynced> {
  const counts = await app.store.counts();
  const drafts = await app.store.drafts.all();
  const base = { changes: counts.waiting, refused: counts.rejected, photos: counts.photosWaiting, photoBytes: counts.photoBytesWaiting, drafts: drafts.length };
  if (app.deviceLock.locked) return { ...base, visits: null };
  const [entries, photos, visits] = await Promise.all([app.store.outbox.list(), app.store.photos.states(), app.store.records.list("visits")]);
  const byVisit = new Map<string, VisitPending>();
  const of = (id: string): VisitPending => {
    let v = byVisit.get(id);
    if (!v) {
      const rec = visits.find((r) => r.id === id);
      const ref = rec?.fields["reference.crime_reference"];
      v = { visitId: id, reference: typeof ref === "string" && ref ? ref : "Visit without a crime reference", queued: 0, refused: 0, photos: 0, drafts: 0 };
      byVisit.set(id, v);
    }
    return v;
  };
  const visitOfEntry = (e: OutboxEntry): string => e.visit_id ?? e.id;
  for (const e of entries) {
    if (e.state === "queued") of(visitOfEntry(e)).queued += 1;
    else if (e.state === "rejected" && !e.dismissed) of(visitOfEntry(e)).refused += 1;
  }
  for (const p of photos) if (p.upload_state !== "verified") of(p.visit_id).photos += 1;
  const records = await Promise.all(drafts.map((d) => app.store.records.get(d.collection, d.id)));
  drafts.forEach((d, i) => {
    of(records[i]?.visit_id ?? d.id).drafts += 1;
  });
  return { ...base, visits: [...byVisit.values()] };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function SignOutWipe() {
  const app = useApp();
  const data = useLoad(() => loadUnsynced(app), []);
  const [step, setStep] = useState<"review" | "confirm">("review");
  const [busy, setBusy] = useState(false);
  const total = data ? data.changes + data.refused + data.photos + data.drafts : 0;

  const back = () => {
    if (history.length > 1) history.back();
    else location.hash = "#/";
  };
  const wipe = async () => {
    setBusy(true);
    try {
      await app.session.signOutAndWipe();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="wipe-title" class="sign-out-wipe">
      <h1 id="wipe-title">Sign out and wipe this phone</h1>
      <p>
        This deletes your Doorstep data on this phone: visits, photos and the encryption key (and the app's offline copy, unless another
        officer's data is on the phone too: theirs is not touched). Your passkey stays; to use Doorstep here again you will need a new
        enrolment code.
      </p>
      {!data && <p class="muted">Checking what has not been synced…</p>}
      {data && total === 0 && <p class="note">Everything on this phone has reached the server. Nothing will be lost.</p>}
      {data && total > 0 && (
        <div class="warning" role="region" aria-label="Not yet synced">
          <h2>Not yet on the server</h2>
          <ul>
            {data.changes > 0 && <li>{plural(data.changes, "change", "changes")} waiting to sync</li>}
            {data.refused > 0 && <li>{plural(data.refused, "change", "changes")} the server refused (see Needs attention)</li>}
            {data.photos > 0 && <li>{plural(data.photos, "photo", "photos")} not yet verified ({formatBytes(data.photoBytes)})</li>}
            {data.drafts > 0 && <li>{plural(data.drafts, "unsaved entry", "unsaved entries")} with an error to fix</li>}
          </ul>
          {data.visits === null ? (
            <p>The app is locked, so the visits are not shown. Unlock first to see them.</p>
          ) : (
            <ul class="unsynced-visits">
              {data.visits.map((v) => (
                <li key={v.visitId}>
                  <strong>{v.reference}</strong>:{" "}
                  {[
                    v.queued > 0 ? plural(v.queued, "change", "changes") : null,
                    v.refused > 0 ? plural(v.refused, "refused change", "refused changes") : null,
                    v.photos > 0 ? plural(v.photos, "photo", "photos") : null,
                    v.drafts > 0 ? plural(v.drafts, "unsaved entry", "unsaved entries") : null,
                  ]
                    .filter(Boolean)
                    .join(", ")}
                </li>
              ))}
            </ul>
          )}
          <p>
            <strong>All of this will be lost.</strong> If you can, sync first.
          </p>
        </div>
      )}
      {step === "review" ? (
        <>
          {data && total > 0 && !app.deviceLock.locked && (
            <button type="button" class="secondary" disabled={busy} onClick={() => void app.triggers.syncNow(true)}>
              Sync now
            </button>
          )}
          <button type="button" class="secondary" onClick={back}>
            Cancel
          </button>
          <button type="button" class="secondary danger" disabled={!data} onClick={() => setStep("confirm")}>
            Wipe this phone…
          </button>
        </>
      ) : (
        <div role="alertdialog" aria-labelledby="wipe-confirm" class="warning">
          <p id="wipe-confirm">
            <strong>
              Are you sure? {total > 0 ? `${plural(total, "item", "items")} not yet synced will be lost for good. ` : ""}This cannot be undone.
            </strong>
          </p>
          <button type="button" class="secondary danger" disabled={busy} onClick={() => void wipe()}>
            Yes, wipe this phone now
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => setStep("review")}>
            No, keep my data
          </button>
        </div>
      )}
    </section>
  );
}
