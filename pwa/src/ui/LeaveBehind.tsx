/**
 * The leave-behind the victim keeps (docs/aftercare.md): rendered on the phone, offline, from
 * the force's texts (cached `GET /api/leave-behind`) in the victim's preferred language, with
 * the survey link and its QR code (a token minted here; only its SHA-256 is synced). Printing,
 * showing or emailing it records a `leave_behinds` record of what was given; an email asked for
 * offline waits in the outbox and the server sends it after the sync.
 */

import { useEffect, useState } from "preact/hooks";

import { LANGUAGE_NAMES, renderBlocks, renderStoredText, visitDate, type LanguageCode } from "../aftercare/render";
import { mintSurveyToken, surveyLink, tokenSha256 } from "../aftercare/token";
import type { Fields } from "../model/types";
import { useApp, useLoad, useVersion } from "./hooks";
import { QrCode } from "./QrCode";

interface Tick {
  id: string;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

export function LeaveBehind({ id }: { id: string }) {
  const app = useApp();
  useVersion();
  const data = useLoad(async () => {
    const all = await app.store.records.ofVisit(id);
    return { visit: all.find((r) => r.collection === "visits") ?? null, given: all.filter((r) => r.collection === "leave_behinds") };
  }, [id]);
  const [token] = useState(() => mintSurveyToken());
  const [language, setLanguage] = useState<LanguageCode | null>(null);
  const [email, setEmail] = useState<string | null>(null);
  const [emailError, setEmailError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [tokenUsed, setTokenUsed] = useState(false);
  const [, setRefreshed] = useState(0);

  useEffect(() => {
    // Online: take the texts in force now (kept for offline); offline the kept ones are used.
    if (navigator.onLine) void app.session.refreshLeaveBehind().then(() => setRefreshed((n) => n + 1)).catch(() => undefined);
  }, [app]);

  if (data === undefined) return <p>Loading…</p>;
  if (!data.visit) return <p>Visit not found. <a href="#/">Back to my visits</a></p>;
  const content = app.session.leaveBehind;
  const back = <p class="crumbs no-print"><a href={`#/visit/${id}/aftercare`}>Back to the visit</a></p>;
  if (!content) {
    return (
      <article aria-labelledby="lb-title">
        {back}
        <h1 id="lb-title">Leave-behind</h1>
        <p class="warning" role="alert">The force's leave-behind texts are not on this phone yet. Connect to the internet once (sign in or sync) to fetch them.</p>
      </article>
    );
  }

  const f = data.visit.fields;
  const last = [...data.given].sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0];
  const preferred = content.languages.find((l) => l === last?.fields["language"]) ?? content.languages[0] ?? "en";
  const lang: LanguageCode = language && content.languages.includes(language) ? language : preferred;
  const texts = content.texts[lang] ?? content.texts["en"] ?? {};
  const officer = app.session.profile?.officer;
  const link = surveyLink(location.origin, token);
  const values = {
    officer_name: officer?.display_name ?? "",
    officer_phone: officer?.contact_phone ?? "",
    officer_email: officer?.contact_email ?? "",
    crime_reference: str(f["reference.crime_reference"]),
    visit_date: visitDate(str(f["attendance.arrived_at"]) || null, lang),
  };
  const byId = new Map((app.session.catalogue?.items ?? []).map((i) => [i.id, i]));
  const ticks = (Array.isArray(f["advice.items"]) ? f["advice.items"] : []) as unknown as Tick[];
  // What the victim keeps is the advice itself, not only its name: "title: body" for each item
  // given, then the officer's own words. The catalogue has no Welsh yet: it stays in English.
  const advice = ticks.map((t) => {
    const item = byId.get(t.id);
    if (!item) return t.id;
    return item.body ? `${item.title}: ${item.body}` : item.title;
  });
  const extra = str(f["advice.extra"]).trim();
  if (extra) advice.push(extra);
  const blocks = renderBlocks(texts, { ...values, survey_link: link }, advice, true);
  const to = email ?? str(f["victim.email"]);

  const record = async (how: { printed: boolean; emailTo: string | null }) => {
    const fields: Fields = {
      visit_id: id,
      language: lang,
      content_version: content.version,
      text: renderStoredText(texts, values, advice, true),
      printed: how.printed,
      "email.requested": how.emailTo !== null,
    };
    if (how.emailTo !== null) fields["email.to"] = how.emailTo;
    // One leave-behind per link: a second record (an email after printing) gets the server's own link.
    if (!tokenUsed) fields["survey.token_sha256"] = await tokenSha256(token);
    await app.edit({ collection: "leave_behinds", id: crypto.randomUUID(), visit_id: id, fields, coalesce: false });
    setTokenUsed(true);
  };
  const print = async () => {
    await record({ printed: true, emailTo: null });
    setMessage(`Recorded as given in ${LANGUAGE_NAMES[lang]}.`);
    window.print();
  };
  const shown = async () => {
    await record({ printed: false, emailTo: null });
    setMessage(`Recorded as given in ${LANGUAGE_NAMES[lang]} (shown on screen).`);
  };
  const send = async () => {
    const address = to.trim();
    if (!EMAIL_RE.test(address) || address.length > 254) {
      setEmailError("Enter the victim's email address, like name@example.com");
      document.getElementById("lb-email")?.focus();
      return;
    }
    setEmailError(null);
    await record({ printed: false, emailTo: address });
    setMessage(navigator.onLine ? `Queued: the server emails it to ${address} after the next sync.` : `Queued on this phone: it is emailed to ${address} after the next sync.`);
  };

  return (
    <article class="leave-behind" aria-labelledby="lb-title">
      {back}
      <fieldset class="field choice no-print">
        <legend>Victim's preferred language</legend>
        <div class="choices">
          {content.languages.map((l) => (
            <label key={l} class="choice-item" lang={l}>
              <input type="radio" name="lb-language" checked={lang === l} onChange={() => setLanguage(l)} />
              {LANGUAGE_NAMES[l] ?? l}
            </label>
          ))}
        </div>
      </fieldset>
      <div lang={lang} class="lb-page" data-testid="leave-behind-text">
        {blocks.map((b, i) =>
          i === 0 ? <p key={b.key} class="lb-force">{b.lines[0]}</p>
          : i === 1 ? <h1 key={b.key} id="lb-title">{b.lines[0]}</h1>
          : (
            <section key={b.key}>
              {b.heading && <h2>{b.heading}</h2>}
              {b.key === "advice" ? <ul>{advice.map((a) => <li key={a} lang="en">{a}</li>)}</ul> : b.lines.map((line) => <p key={line}>{line}</p>)}
              {b.key === "survey" && <QrCode text={link} label={`${texts["survey_heading"] ?? ""}: ${link}`} />}
            </section>
          ),
        )}
      </div>
      <div class="no-print lb-actions">
        <div class="row">
          <button type="button" class="primary" onClick={() => void print()}>Print</button>
          <button type="button" class="secondary" onClick={() => void shown()}>Shown on screen</button>
        </div>
        <div class={emailError ? "field invalid" : "field"}>
          <label for="lb-email">Victim's email address</label>
          <input id="lb-email" type="email" autocomplete="off" value={to} aria-invalid={emailError ? true : undefined} aria-describedby={emailError ? "lb-email-error" : undefined} onInput={(e) => setEmail(e.currentTarget.value)} />
          {emailError && <p class="error" id="lb-email-error">{emailError}</p>}
        </div>
        <button type="button" class="secondary" onClick={() => void send()}>Email it to the victim</button>
        {message && <p role="status" class="note">{message}</p>}
      </div>
    </article>
  );
}
