import type { SectionProps } from "./sectionProps";
import { FieldGroup } from "./FieldGroup";
import { LocationControl } from "./LocationControl";

export function PlaceSection({ visit, drafts, locked }: SectionProps) {
  return (
    <>
      <FieldGroup visit={visit} drafts={drafts} locked={locked} paths={["address.line1", "address.line2", "address.town", "address.postcode"]} />
      <LocationControl visit={visit} locked={locked} />
      <FieldGroup visit={visit} drafts={drafts} locked={locked} paths={["place.property_type", "place.occupied"]} />
    </>
  );
}
