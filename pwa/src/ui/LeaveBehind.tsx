/** The leave-behind for the victim, generated from the record: show, print or share. */

import { useState } from "preact/hooks";

import type { AdviceItem } from "../model/types";
import { formatTime, useApp, useLoad } from "./hooks";

interface Tick {
  id: string;
  version: number;
}

export function LeaveBehind({ id }: { id: string }) {
  const app = useApp();
  const visit = useLoad(async () => (await app.store.records.get("visits", id)) ?? null, [id]);
  const [message, setMessage] = useState<string | null>(null);
  if (visit === undefined) return <p>Loading…</p>;
  if (visit === null) return <p>Visit not found. <a href="#/">Back to my visits</a></p>;

  const f = visit.fields;
  const officer = app.session.profile?.officer;
  const force = app.session.profile?.settings.force_name ?? "the police";
  const ref = typeof f["reference.crime_reference"] === "string" ? f["reference.crime_reference"] : "(not recorded yet)";
  const byId = new Map<string, AdviceItem>((app.session.catalogue?.items ?? []).map((i) => [i.id, i]));
  const ticks = (Array.isArray(f["advice.items"]) ? f["advice.items"] : []) as unknown as Tick[];
  const advice = ticks.map((t) => byId.get(t.id) ?? { id: t.id, version: t.version, title: t.id, body: "", category: "", tags: [] });
  const extra = typeof f["advice.extra"] === "string" ? f["advice.extra"] : "";
  const victim = typeof f["victim.name"] === "string" ? f["victim.name"] : null;

  const text = [
    `${force}: your burglary report`,
    `Crime reference: ${ref}`,
    officer ? `Officer: ${officer.display_name} (${officer.collar_number})` : "",
    officer?.contact_phone ? `Phone: ${officer.contact_phone}` : "",
    officer?.contact_email ? `Email: ${officer.contact_email}` : "",
    "What happens next: the investigation will be reviewed and you will be told of any progress. Quote your crime reference whenever you contact us.",
    "Your rights under the Victims' Code: information about your case, support from Victim Support, a chance to make a Victim Personal Statement, and to be told about key decisions.",
    advice.length ? `Advice given:\n${advice.map((a) => `- ${a.title}`).join("\n")}` : "",
    extra ? `Other advice: ${extra}` : "",
  ].filter(Boolean).join("\n\n");

  const share = async () => {
    try {
      await navigator.share({ title: `Crime reference ${ref}`, text });
    } catch (exc) {
      if (!(exc instanceof DOMException && exc.name === "AbortError")) setMessage("Sharing is not available here; print or show this page instead.");
    }
  };

  return (
    <article class="leave-behind" aria-labelledby="lb-title">
      <p class="crumbs no-print"><a href={`#/visit/${id}/complete`}>Back to the visit</a></p>
      <h1 id="lb-title">Your burglary report</h1>
      <p>{victim ? `For ${victim}. ` : ""}{force}{typeof f["attendance.arrived_at"] === "string" ? `, visited ${formatTime(f["attendance.arrived_at"])}` : ""}.</p>
      <dl class="facts">
        <dt>Crime reference</dt>
        <dd class="big">{ref}</dd>
        <dt>Officer</dt>
        <dd>{officer ? `${officer.display_name} (collar number ${officer.collar_number})` : "Your attending officer"}</dd>
        {officer?.contact_phone && (<><dt>Phone</dt><dd>{officer.contact_phone}</dd></>)}
        {officer?.contact_email && (<><dt>Email</dt><dd>{officer.contact_email}</dd></>)}
      </dl>
      <h2>What happens next</h2>
      <p>Your report will be reviewed and investigated. We will contact you about any progress, such as an arrest or charge. Always quote your crime reference. In an emergency call 999; otherwise call 101.</p>
      {f["victim.referral_made"] === true && <p>You agreed to be referred to Victim Support; they will contact you.</p>}
      <h2>Your rights under the Victims' Code</h2>
      <ul>
        <li>To be told how your case is progressing and about key decisions.</li>
        <li>To be referred to services that support victims, such as Victim Support (0808 168 9111), free of charge.</li>
        <li>To make a Victim Personal Statement about how the crime has affected you.</li>
        <li>To have an interpreter if you need one, and to make a complaint if your rights are not met.</li>
      </ul>
      <h2>Advice given to you today</h2>
      {advice.length === 0 && !extra ? (
        <p>No advice recorded.</p>
      ) : (
        <ul>
          {advice.map((a) => (
            <li key={a.id}>
              <strong>{a.title}</strong>
              {a.body ? `: ${a.body}` : ""}
            </li>
          ))}
          {extra && <li>{extra}</li>}
        </ul>
      )}
      {f["advice.survey_requested"] === true && <p>A crime prevention officer will contact you about a home security survey.</p>}
      <div class="row no-print">
        <button type="button" class="primary" onClick={() => window.print()}>Print</button>
        {typeof navigator.share === "function" && (
          <button type="button" class="secondary" onClick={() => void share()}>Share</button>
        )}
      </div>
      {message && <p role="status">{message}</p>}
    </article>
  );
}
