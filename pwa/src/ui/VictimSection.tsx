import type { SectionProps } from "./sectionProps";
import { FieldGroup } from "./FieldGroup";

export function VictimSection({ visit, drafts, locked }: SectionProps) {
  const common = { visit, drafts, locked };
  return (
    <>
      <FieldGroup {...common} paths={["victim.name", "victim.phone", "victim.email", "victim.preferred_contact"]} />
      <h3>Vulnerability and support</h3>
      <FieldGroup {...common} paths={["victim.vulnerabilities", "victim.vulnerability_note", "victim.interpreter_needed", "victim.interpreter_language"]} />
      <h3>Victims' Code and referral</h3>
      <FieldGroup {...common} paths={["victim.victims_code_given", "victim.referral_consent", "victim.referral_made"]} />
    </>
  );
}
