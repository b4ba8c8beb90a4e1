import { DIGITAL_KINDS, H2H_RESULTS, optionLabel } from "../model/fields";
import type { SectionProps } from "./sectionProps";
import { FieldGroup } from "./FieldGroup";
import { ObjectList } from "./ObjectList";

export function EnquirySection({ visit, drafts, locked }: SectionProps) {
  const common = { visit, drafts, locked };
  return (
    <>
      <FieldGroup {...common} paths={["enquiry.forensic_opportunities", "enquiry.csi_requested", "enquiry.csi_reference", "enquiry.scene_preservation_advised"]} />
      <ObjectList
        {...common}
        path="enquiry.digital_evidence"
        title="Digital evidence"
        itemName="source"
        fields={[
          { key: "kind", label: "Kind", kind: "select", options: DIGITAL_KINDS, required: true },
          { key: "location", label: "Where", kind: "text" },
          { key: "holder", label: "Who holds it", kind: "text" },
          { key: "note", label: "Note", kind: "textarea" },
        ]}
        summary={(i) => [optionLabel(DIGITAL_KINDS, i["kind"]), i["location"], i["holder"] ? `held by ${String(i["holder"])}` : null].filter(Boolean).join(", ")}
      />
      <FieldGroup {...common} paths={["enquiry.routes"]} />
      <ObjectList
        {...common}
        path="enquiry.house_to_house"
        title="House-to-house"
        itemName="call"
        fields={[
          { key: "address", label: "Address visited", kind: "text", required: true },
          { key: "result", label: "Result", kind: "select", options: H2H_RESULTS, required: true },
          { key: "advice_left", label: "Advice left", kind: "check" },
          { key: "kit_left", label: "Kit left", kind: "check" },
          { key: "note", label: "Note", kind: "text" },
        ]}
        summary={(i) => [String(i["address"] ?? ""), optionLabel(H2H_RESULTS, i["result"]), i["advice_left"] ? "advice left" : null, i["kit_left"] ? "kit left" : null].filter(Boolean).join(", ")}
      />
      <ObjectList
        {...common}
        path="enquiry.witnesses"
        title="Witnesses"
        itemName="witness"
        fields={[
          { key: "name", label: "Witness name", kind: "text", required: true, max: 120 },
          { key: "contact", label: "Contact", kind: "text" },
          { key: "account", label: "Account", kind: "textarea" },
        ]}
        summary={(i) => [String(i["name"] ?? ""), i["contact"]].filter(Boolean).join(", ")}
      />
    </>
  );
}
