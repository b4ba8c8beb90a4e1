/** One visit: its header, the section list, and the chosen section (any order). */

import { useEffect } from "preact/hooks";

import { SECTIONS, STATUS_LABELS, inputId } from "../model/fields";
import { officerMayEdit } from "../sync";
import { AddressHistoryNote } from "./AddressHistoryNote";
import { AdviceSection } from "./AdviceSection";
import { AftercareSection } from "./AftercareSection";
import { AttendanceSection } from "./AttendanceSection";
import { CompletePanel } from "./CompletePanel";
import { EnquirySection } from "./EnquirySection";
import { useApp, useLoad } from "./hooks";
import { KitsSection } from "./KitsSection";
import { OffenceSection } from "./OffenceSection";
import { PhotosSection } from "./PhotosSection";
import { PlaceSection } from "./PlaceSection";
import { PropertySection } from "./PropertySection";
import { ReferenceSection } from "./ReferenceSection";
import type { SectionProps } from "./sectionProps";
import { SectionNav } from "./SectionNav";
import { VictimSection } from "./VictimSection";

const VIEWS: Record<string, (p: SectionProps) => preact.JSX.Element> = {
  reference: ReferenceSection,
  attendance: AttendanceSection,
  place: PlaceSection,
  victim: VictimSection,
  offence: OffenceSection,
  property: PropertySection,
  enquiry: EnquirySection,
  photos: PhotosSection,
  kits: KitsSection,
  advice: AdviceSection,
  complete: CompletePanel,
  aftercare: AftercareSection,
};

export function VisitEditor({ id, section, focus }: { id: string; section: string; focus: string | null }) {
  const app = useApp();
  const data = useLoad(async () => {
    const all = await app.store.records.ofVisit(id);
    return { visit: all.find((r) => r.collection === "visits") ?? null, children: all.filter((r) => r.collection !== "visits"), drafts: await app.store.drafts.of("visits", id) };
  }, [id]);
  const current = SECTIONS.find((s) => s.id === section) ?? SECTIONS[0];

  useEffect(() => {
    if (!data?.visit) return;
    const target = focus ? document.getElementById(inputId(id, focus)) : document.getElementById("section-title");
    target?.focus();
  }, [section, focus, Boolean(data?.visit)]);

  if (data === undefined) return <p>Loading…</p>;
  if (!data.visit) {
    return (
      <section>
        <h1>Visit not found</h1>
        <p>It may have been deleted or moved to another officer.</p>
        <a href="#/">Back to my visits</a>
      </section>
    );
  }
  const { visit, children, drafts } = data;
  const status = String(visit.fields["status"] ?? "draft");
  const locked = !officerMayEdit(status);
  const View = VIEWS[current.id] ?? ReferenceSection;
  const counts = {
    property: children.filter((c) => c.collection === "property_items").length,
    photos: children.filter((c) => c.collection === "photos").length,
    kits: children.filter((c) => c.collection === "kit_issues").length,
  };
  const note = visit.fields["review.note"];
  return (
    <article class="visit">
      <header class="visit-header">
        <p class="crumbs"><a href="#/">My visits</a></p>
        <h1>{typeof visit.fields["reference.crime_reference"] === "string" ? visit.fields["reference.crime_reference"] : "New visit"}</h1>
        <p>
          <span class={`status status-${status}`}>{STATUS_LABELS[status] ?? status}</span>
          {visit.pending > 0 && <span class="sync-chip"> Changes waiting to sync</span>}
        </p>
        {status === "returned" && typeof note === "string" && note && (
          <div class="returned-note" role="note">
            <strong>Returned by your supervisor:</strong> {note}
          </div>
        )}
        {visit.conflicts.length > 0 && (
          <p class="warning">
            This visit has {visit.conflicts.length} conflicting {visit.conflicts.length === 1 ? "value" : "values"}. <a href="#/attention">Choose which to keep</a>
          </p>
        )}
        {status === "draft" && <AddressHistoryNote visit={visit} />}
      </header>
      <SectionNav visitId={id} current={current.id} counts={counts} />
      <section class="section" aria-labelledby="section-title">
        <h2 id="section-title" tabIndex={-1}>{current.title}</h2>
        {locked && current.id !== "complete" && current.id !== "aftercare" && <p class="note">This visit is {status} and locked for editing.</p>}
        {current.id === "aftercare" ? (
          // New records of their own, never edits of the visit: no field form around them.
          <View visit={visit} children={children} drafts={drafts} locked={locked} />
        ) : (
          <form class="fields" onSubmit={(e) => e.preventDefault()} novalidate>
            <View visit={visit} children={children} drafts={drafts} locked={locked} />
          </form>
        )}
      </section>
    </article>
  );
}
