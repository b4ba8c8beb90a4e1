import type { SectionProps } from "./sectionProps";
import { FieldGroup } from "./FieldGroup";

export function OffenceSection({ visit, drafts, locked }: SectionProps) {
  return (
    <FieldGroup
      visit={visit}
      drafts={drafts}
      locked={locked}
      paths={[
        "offence.type", "offence.last_secure_at", "offence.discovered_at", "offence.entry_point", "offence.entry_point_note",
        "offence.entry_method", "offence.rooms_entered", "offence.offender_seen", "offence.suspects_named",
      ]}
    />
  );
}
