/** One visit for review: every section as in SPEC section 3, photos, kits, advice, history, and the review. */

import type { ComponentChildren } from "preact";

import { AuditPanel } from "../admin/AuditPanel";
import { PROPERTY_CATEGORIES, optionLabel, STATUS_LABELS } from "../../model/fields";
import { formatDateTime, formatDuration, sectionValue, type ChildRecord, type VisitDetail } from "../../supervisor-api";
import { AftercarePanel } from "./AftercarePanel";
import { displayValue, labelOf } from "./display";
import { History, OpenConflicts, PreviousReviews } from "./History";
import { useFocusHeading, useRemote, useSupervisorApi } from "./hooks";
import { PhotoGallery } from "./PhotoGallery";
import { Problem } from "./Problem";
import { ReviewPanel } from "./ReviewPanel";
import "./supervisor.css";
import { lastListHref } from "./VisitsPage";

export interface Fact {
  label: string;
  value: string;
}

export function Facts({ facts, id }: { facts: Fact[]; id?: string }) {
  return (
    <dl class="sup-facts" id={id}>
      {facts.map((f) => (
        <div key={f.label} class="sup-fact">
          <dt>{f.label}</dt>
          <dd>{f.value ? f.value : <span class="muted">Not recorded</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

function visitFacts(d: VisitDetail, paths: string[]): Fact[] {
  return paths.map((p) => ({ label: labelOf("visits", p), value: displayValue("visits", p, sectionValue(d.sections, p)) }));
}

function childFacts(collection: string, record: ChildRecord, paths: string[]): Fact[] {
  return paths.map((p) => ({ label: labelOf(collection, p), value: displayValue(collection, p, record[p]) }));
}

const SECTIONS = [
  { id: "sup-sec-reference", title: "Reference" },
  { id: "sup-sec-attendance", title: "Attendance" },
  { id: "sup-sec-place", title: "Place" },
  { id: "sup-sec-victim", title: "Victim" },
  { id: "sup-sec-offence", title: "Offence" },
  { id: "sup-sec-property", title: "Property taken" },
  { id: "sup-sec-enquiry", title: "Lines of enquiry" },
  { id: "sup-sec-photos", title: "Photos" },
  { id: "sup-sec-kits", title: "SmartWater kits" },
  { id: "sup-sec-advice", title: "Prevention advice" },
  { id: "sup-sec-aftercare", title: "After the visit" },
  { id: "sup-sec-conflicts", title: "Open conflicts" },
  { id: "sup-sec-reviews", title: "Previous reviews" },
  { id: "review-title", title: "Review" },
  { id: "sup-sec-history", title: "Revision history" },
  { id: "sup-sec-audit", title: "Audit" },
] as const;

function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="sup-section" aria-labelledby={id}>
      <h2 id={id} tabIndex={-1}>{title}</h2>
      {children}
    </section>
  );
}

/** In-page contents: the address holds the route, so these move focus instead of changing it. */
function Contents({ visitId }: { visitId: string }) {
  const go = (e: Event, id: string) => {
    e.preventDefault();
    const el = document.getElementById(id);
    el?.focus();
    el?.scrollIntoView({ block: "start" });
  };
  return (
    <nav class="sup-contents" aria-label="On this page">
      <h2 class="sup-contents-title">On this page</h2>
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <a href={`#/visits/${visitId}`} onClick={(e) => go(e, s.id)}>{s.title}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function listOf(d: VisitDetail, path: string): Array<Record<string, unknown>> {
  const v = sectionValue(d.sections, path);
  return Array.isArray(v) ? (v as Array<Record<string, unknown>>) : [];
}

function Enquiry({ d }: { d: VisitDetail }) {
  const digital = listOf(d, "enquiry.digital_evidence");
  const calls = listOf(d, "enquiry.house_to_house");
  const witnesses = listOf(d, "enquiry.witnesses");
  return (
    <>
      <Facts facts={visitFacts(d, ["enquiry.forensic_opportunities", "enquiry.csi_requested", "enquiry.csi_reference", "enquiry.scene_preservation_advised", "enquiry.routes"])} />
      <h3>Digital evidence</h3>
      {digital.length === 0 ? <p class="muted">None recorded.</p> : (
        <ul class="sup-plain">
          {digital.map((x, i) => <li key={i}>{displayValue("visits", "enquiry.digital_evidence", [x])}</li>)}
        </ul>
      )}
      <h3>House-to-house</h3>
      {calls.length === 0 ? <p class="muted">None recorded.</p> : (
        <ul class="sup-plain">
          {calls.map((x, i) => <li key={i}>{displayValue("visits", "enquiry.house_to_house", [x])}</li>)}
        </ul>
      )}
      <h3>Witnesses</h3>
      {witnesses.length === 0 ? <p class="muted">None recorded.</p> : (
        <ul class="sup-plain">
          {witnesses.map((x, i) => <li key={i}>{displayValue("visits", "enquiry.witnesses", [x])}</li>)}
        </ul>
      )}
    </>
  );
}

function Property({ d }: { d: VisitDetail }) {
  return (
    <>
      {d.property_items.length === 0 ? <p class="muted">No property items recorded.</p> : (
        <ol class="sup-cards">
          {d.property_items.map((item, n) => (
            <li key={item.id} class="card">
              <h3>
                Item {n + 1}: {item["category"] ? optionLabel(PROPERTY_CATEGORIES, item["category"]) : "No category"}
                {item["make_model"] ? `, ${String(item["make_model"])}` : ""}
              </h3>
              <Facts facts={childFacts("property_items", item, ["description", "marks_or_serial", "estimated_value_pence", "property_marked", "tracking"])} />
            </li>
          ))}
        </ol>
      )}
      <h3>Damage and other loss</h3>
      <Facts facts={visitFacts(d, ["loss.damage", "loss.not_taken", "loss.vehicle_registration"])} />
    </>
  );
}

function Kits({ d }: { d: VisitDetail }) {
  if (d.kit_issues.length === 0) return <p class="muted">No kits issued.</p>;
  return (
    <ol class="sup-cards">
      {d.kit_issues.map((kit, n) => {
        const address = ["address.line1", "address.line2", "address.town", "address.postcode"].map((p) => kit[p]).filter(Boolean).join(", ");
        return (
          <li key={kit.id} class="card">
            <h3>Kit {n + 1}: {kit["kit_code"] ? String(kit["kit_code"]) : "no code recorded"}</h3>
            <Facts
              facts={[
                ...childFacts("kit_issues", kit, ["recipient", "recipient_name"]),
                { label: "Recipient address", value: address },
                ...childFacts("kit_issues", kit, ["registration"]),
              ]}
            />
          </li>
        );
      })}
    </ol>
  );
}

function Advice({ d }: { d: VisitDetail }) {
  return (
    <>
      <h3>Advice items given</h3>
      {d.advice.length === 0 ? <p class="muted">No catalogue advice ticked.</p> : (
        <ul class="sup-plain">
          {d.advice.map((a) => (
            <li key={`${a.id}-${a.version}`}>
              {a.title ?? a.id} <span class="muted">(item {a.id}, version {a.version})</span>
            </li>
          ))}
        </ul>
      )}
      <Facts facts={visitFacts(d, ["advice.extra", "advice.leaflet_given", "advice.survey_requested"])} />
    </>
  );
}

export function VisitPage({ id }: { id: string }) {
  const api = useSupervisorApi();
  const remote = useRemote(() => api.visit(id), [id]);
  const d = remote.data;
  useFocusHeading("sup-visit-title", d ? id : null);

  if (!d) {
    return (
      <section aria-labelledby="sup-visit-title">
        <p><a href={lastListHref()}>Back to visits</a></p>
        <h1 id="sup-visit-title" tabIndex={-1}>Visit</h1>
        {remote.loading && <p role="status">Loading the visit…</p>}
        <Problem error={remote.error} retry={remote.reload} />
      </section>
    );
  }
  const reported = sectionValue(d.sections, "reference.reported_at");
  const arrived = sectionValue(d.sections, "attendance.arrived_at");
  const toArrival =
    typeof reported === "string" && typeof arrived === "string" ? (Date.parse(arrived) - Date.parse(reported)) / 1000 : null;
  const ref = sectionValue(d.sections, "reference.crime_reference");
  return (
    <article aria-labelledby="sup-visit-title" class="sup-visit">
      <p><a href={lastListHref()}>Back to visits</a></p>
      <h1 id="sup-visit-title" tabIndex={-1}>Visit {typeof ref === "string" ? ref : "with no crime reference"}</h1>
      <Problem error={remote.error} retry={remote.reload} />
      <Facts
        id="sup-summary"
        facts={[
          { label: "Status", value: STATUS_LABELS[d.status] ?? d.status },
          { label: "Officer", value: `${d.officer.display_name} (${d.officer.collar_number})` },
          { label: "Completed at", value: formatDateTime(d.completed_at) },
          { label: "Approved at", value: formatDateTime(d.approved_at) },
        ]}
      />
      {d.status === "returned" && d.review_note && <p class="returned-note">Returned with the note: {d.review_note}</p>}
      <Contents visitId={d.id} />

      <Section id="sup-sec-reference" title="Reference">
        <Facts facts={visitFacts(d, ["reference.crime_reference", "reference.incident_number", "reference.reported_at", "reference.officer_in_charge"])} />
      </Section>
      <Section id="sup-sec-attendance" title="Attendance">
        <Facts
          facts={[
            ...visitFacts(d, ["attendance.arrived_at", "attendance.left_at"]),
            { label: "Report to arrival", value: toArrival === null || Number.isNaN(toArrival) ? "" : formatDuration(toArrival) },
          ]}
        />
      </Section>
      <Section id="sup-sec-place" title="Place">
        <Facts facts={visitFacts(d, ["address.line1", "address.line2", "address.town", "address.postcode", "place.property_type", "place.occupied"])} />
        <h3>Device location</h3>
        {sectionValue(d.sections, "location.latitude") == null ? (
          <p class="muted">Not recorded (the officer chose not to, or could not).</p>
        ) : (
          <Facts facts={visitFacts(d, ["location.latitude", "location.longitude", "location.accuracy_m"])} />
        )}
      </Section>
      <Section id="sup-sec-victim" title="Victim">
        <Facts
          facts={visitFacts(d, [
            "victim.name", "victim.phone", "victim.email", "victim.preferred_contact", "victim.vulnerabilities", "victim.vulnerability_note",
            "victim.interpreter_needed", "victim.interpreter_language", "victim.victims_code_given", "victim.referral_consent", "victim.referral_made",
          ])}
        />
      </Section>
      <Section id="sup-sec-offence" title="Offence">
        <Facts
          facts={visitFacts(d, [
            "offence.type", "offence.last_secure_at", "offence.discovered_at", "offence.entry_point", "offence.entry_point_note",
            "offence.entry_method", "offence.rooms_entered", "offence.offender_seen", "offence.suspects_named",
          ])}
        />
      </Section>
      <Section id="sup-sec-property" title="Property taken"><Property d={d} /></Section>
      <Section id="sup-sec-enquiry" title="Lines of enquiry"><Enquiry d={d} /></Section>
      <Section id="sup-sec-photos" title={`Photos (${d.photos.length})`}><PhotoGallery photos={d.photos} /></Section>
      <Section id="sup-sec-kits" title={`SmartWater kits (${d.kit_issues.length})`}><Kits d={d} /></Section>
      <Section id="sup-sec-advice" title="Prevention advice"><Advice d={d} /></Section>
      <Section id="sup-sec-aftercare" title="After the visit"><AftercarePanel d={d} onChanged={remote.reload} /></Section>
      <Section id="sup-sec-conflicts" title="Open conflicts"><OpenConflicts d={d} /></Section>
      <Section id="sup-sec-reviews" title="Previous reviews"><PreviousReviews reviews={d.reviews} /></Section>
      <ReviewPanel detail={d} onReviewed={remote.reload} />
      <Section id="sup-sec-history" title="Revision history"><History revisions={d.revisions} /></Section>
      <AuditPanel visitId={d.id} />
    </article>
  );
}
