import type { SectionProps } from "./sectionProps";
import { FieldGroup } from "./FieldGroup";

export function ReferenceSection({ visit, drafts, locked }: SectionProps) {
  return (
    <FieldGroup
      visit={visit}
      drafts={drafts}
      locked={locked}
      paths={["reference.crime_reference", "reference.incident_number", "reference.reported_at", "reference.officer_in_charge"]}
    />
  );
}
