/**
 * Every field of a visit and its child records (server/visits/schemas.py): dotted path, visible
 * label, kind of input, options (the server's enumerations) and the check applied as it is typed.
 */

import {
  checkCrimeReference,
  checkEmail,
  checkPattern,
  checkPhone,
  checkPostcode,
  checkText,
  checkVehicleRegistration,
  type Check,
} from "./validate";

export type Option = readonly [value: string, label: string];

export type FieldKind = "text" | "textarea" | "datetime" | "select" | "yesno" | "multi" | "pounds" | "tags";

export interface FieldDef {
  path: string;
  label: string;
  kind: FieldKind;
  options?: readonly Option[];
  hint?: string;
  /** Turns what was typed into the value to store (text kinds). */
  check?: (text: string, ctx: { crimeReferencePattern: string }) => Check;
  inputMode?: "text" | "tel" | "email" | "numeric" | "decimal";
  autocomplete?: string;
}

export const PROPERTY_TYPES: readonly Option[] = [
  ["detached", "Detached"], ["semi", "Semi-detached"], ["terrace", "Terrace"], ["flat", "Flat"], ["bungalow", "Bungalow"], ["other", "Other"],
];
export const OCCUPIED: readonly Option[] = [["yes", "Yes"], ["no", "No"], ["unknown", "Unknown"]];
export const PREFERRED_CONTACT: readonly Option[] = [
  ["phone", "Phone call"], ["text", "Text message"], ["email", "Email"], ["post", "Post"], ["in_person", "In person"],
];
export const VULNERABILITIES: readonly Option[] = [
  ["elderly", "Elderly"], ["disability", "Disability"], ["lives_alone", "Lives alone"], ["repeat_victim", "Repeat victim"],
  ["bogus_caller_target", "Bogus-caller target"], ["other", "Other (say in the note)"],
];
export const OFFENCE_TYPES: readonly Option[] = [
  ["dwelling", "Dwelling burglary"], ["attempted", "Attempted burglary"], ["garage_or_outbuilding", "Garage or outbuilding"],
  ["distraction", "Distraction / bogus caller"], ["car_key", "Car-key burglary"],
];
export const ENTRY_POINTS: readonly Option[] = [
  ["front_door", "Front door"], ["rear_door", "Rear door"], ["window", "Window"], ["patio_door", "Patio door"], ["garage", "Garage"], ["roof", "Roof"], ["other", "Other"],
];
export const ENTRY_METHODS: readonly Option[] = [
  ["forced", "Forced"], ["insecure", "Insecure"], ["key", "Key"], ["deception", "Deception"], ["unknown", "Unknown"],
];
export const FORENSICS: readonly Option[] = [
  ["fingerprints", "Fingerprints"], ["footwear", "Footwear marks"], ["dna", "DNA"], ["tool_marks", "Tool marks"],
];
export const DIGITAL_KINDS: readonly Option[] = [["cctv", "CCTV"], ["doorbell", "Doorbell camera"], ["dashcam", "Dashcam"], ["anpr", "ANPR"], ["other", "Other"]];
export const H2H_RESULTS: readonly Option[] = [
  ["no_answer", "No answer"], ["nothing_seen", "Nothing seen"], ["information", "Information given"], ["card_left", "Card left"],
];
export const PROPERTY_CATEGORIES: readonly Option[] = [
  ["jewellery", "Jewellery"], ["watch", "Watch"], ["phone", "Phone"], ["computer", "Computer"], ["electronics", "Electronics"], ["cash", "Cash"],
  ["bank_card", "Bank card"], ["keys", "Keys"], ["vehicle", "Vehicle"], ["bicycle", "Bicycle"], ["tools", "Tools"], ["documents", "Documents"],
  ["clothing", "Clothing"], ["art_or_antique", "Art or antique"], ["other", "Other"],
];
export const KIT_RECIPIENTS: readonly Option[] = [["victim", "The victim"], ["neighbour", "A neighbour"]];
export const KIT_REGISTRATION: readonly Option[] = [["done", "Registered"], ["to_do", "Still to do"]];
export const PHOTO_CATEGORIES: readonly Option[] = [
  ["scene_overview", "Scene overview"], ["point_of_entry", "Point of entry"], ["damage", "Damage"], ["footwear_mark", "Footwear mark"], ["property", "Property"], ["other", "Other"],
];
export const STATUS_LABELS: Record<string, string> = {
  draft: "Draft", completed: "Completed", returned: "Returned", approved: "Approved",
};

const name = checkText(120);
const short = checkText(200);
const long = checkText(4000, false);

export const VISIT_FIELDS: readonly FieldDef[] = [
  // Reference
  { path: "reference.crime_reference", label: "Crime reference", kind: "text", check: (t, c) => checkCrimeReference(t, c.crimeReferencePattern), autocomplete: "off" },
  { path: "reference.incident_number", label: "Incident or log number", kind: "text", check: checkPattern(/^[A-Za-z0-9/-]+$/, "Letters, digits, / and - only", 40), autocomplete: "off" },
  { path: "reference.reported_at", label: "Reported at", kind: "datetime" },
  { path: "reference.officer_in_charge", label: "Officer in charge", kind: "text", check: name, hint: "If not you" },
  // Attendance
  { path: "attendance.arrived_at", label: "Arrived at", kind: "datetime" },
  { path: "attendance.left_at", label: "Left at", kind: "datetime" },
  // Place
  { path: "address.line1", label: "Address line 1", kind: "text", check: checkText(120), autocomplete: "off" },
  { path: "address.line2", label: "Address line 2", kind: "text", check: checkText(120), autocomplete: "off" },
  { path: "address.town", label: "Town", kind: "text", check: checkText(80), autocomplete: "off" },
  { path: "address.postcode", label: "Postcode", kind: "text", check: (t) => checkPostcode(t), autocomplete: "off" },
  { path: "place.property_type", label: "Property type", kind: "select", options: PROPERTY_TYPES },
  { path: "place.occupied", label: "Occupied at the time", kind: "select", options: OCCUPIED },
  // Victim
  { path: "victim.name", label: "Victim name", kind: "text", check: name, autocomplete: "off" },
  { path: "victim.phone", label: "Victim phone", kind: "text", check: (t) => checkPhone(t), inputMode: "tel", autocomplete: "off" },
  { path: "victim.email", label: "Victim email", kind: "text", check: (t) => checkEmail(t), inputMode: "email", autocomplete: "off" },
  { path: "victim.preferred_contact", label: "Preferred contact", kind: "select", options: PREFERRED_CONTACT },
  { path: "victim.vulnerabilities", label: "Vulnerability", kind: "multi", options: VULNERABILITIES },
  { path: "victim.vulnerability_note", label: "Vulnerability note", kind: "textarea", check: long },
  { path: "victim.interpreter_needed", label: "Interpreter needed", kind: "yesno" },
  { path: "victim.interpreter_language", label: "Interpreter language", kind: "text", check: checkText(60) },
  { path: "victim.victims_code_given", label: "Victims' Code information given", kind: "yesno" },
  { path: "victim.referral_consent", label: "Consents to referral to Victim Support", kind: "yesno" },
  { path: "victim.referral_made", label: "Referral to Victim Support made", kind: "yesno" },
  // Offence
  { path: "offence.type", label: "Offence type", kind: "select", options: OFFENCE_TYPES },
  { path: "offence.last_secure_at", label: "Last secure at", kind: "datetime" },
  { path: "offence.discovered_at", label: "Discovered at", kind: "datetime" },
  { path: "offence.entry_point", label: "Point of entry", kind: "select", options: ENTRY_POINTS },
  { path: "offence.entry_point_note", label: "Point of entry note", kind: "text", check: short },
  { path: "offence.entry_method", label: "Method of entry", kind: "select", options: ENTRY_METHODS },
  { path: "offence.rooms_entered", label: "Rooms entered", kind: "tags", hint: "Separate rooms with commas" },
  { path: "offence.offender_seen", label: "Offender or vehicle seen", kind: "textarea", check: long },
  { path: "offence.suspects_named", label: "Suspects named by the victim", kind: "textarea", check: long },
  // Loss
  { path: "loss.damage", label: "Damage", kind: "textarea", check: long },
  { path: "loss.not_taken", label: "Notable property not taken", kind: "textarea", check: long },
  { path: "loss.vehicle_registration", label: "Vehicle registration (if keys taken)", kind: "text", check: (t) => checkVehicleRegistration(t), autocomplete: "off" },
  // Enquiry
  { path: "enquiry.forensic_opportunities", label: "Forensic opportunities", kind: "multi", options: FORENSICS },
  { path: "enquiry.csi_requested", label: "CSI requested", kind: "yesno" },
  { path: "enquiry.csi_reference", label: "CSI reference", kind: "text", check: checkText(40) },
  { path: "enquiry.scene_preservation_advised", label: "Scene preservation advice given", kind: "yesno" },
  { path: "enquiry.routes", label: "Likely routes to and from the scene", kind: "textarea", check: long },
  // Advice
  { path: "advice.extra", label: "Extra advice given", kind: "textarea", check: long },
  { path: "advice.leaflet_given", label: "Leaflet handed over", kind: "yesno" },
  { path: "advice.survey_requested", label: "Home security survey requested", kind: "yesno" },
];

export const PROPERTY_ITEM_FIELDS: readonly FieldDef[] = [
  { path: "category", label: "Category", kind: "select", options: PROPERTY_CATEGORIES },
  { path: "make_model", label: "Make and model", kind: "text", check: short },
  { path: "description", label: "Description", kind: "textarea", check: long },
  { path: "marks_or_serial", label: "Identifying marks or serial", kind: "text", check: short },
  { path: "estimated_value_pence", label: "Estimated value (£)", kind: "pounds", inputMode: "decimal" },
  { path: "property_marked", label: "Property-marked", kind: "yesno" },
  { path: "tracking", label: "Tracking (e.g. phone location service)", kind: "text", check: short },
];

export const KIT_FIELDS: readonly FieldDef[] = [
  { path: "kit_code", label: "Kit code", kind: "text", check: checkPattern(/^[A-Za-z0-9-]{4,40}$/, "4 to 40 letters, digits or -", 40, true), autocomplete: "off" },
  { path: "recipient", label: "Issued to", kind: "select", options: KIT_RECIPIENTS },
  { path: "recipient_name", label: "Recipient name", kind: "text", check: name },
  { path: "address.line1", label: "Recipient address line 1", kind: "text", check: checkText(120) },
  { path: "address.line2", label: "Recipient address line 2", kind: "text", check: checkText(120) },
  { path: "address.town", label: "Recipient town", kind: "text", check: checkText(80) },
  { path: "address.postcode", label: "Recipient postcode", kind: "text", check: (t) => checkPostcode(t) },
  { path: "registration", label: "Registration on the supplier's database", kind: "select", options: KIT_REGISTRATION },
];

export const PHOTO_FIELDS: readonly FieldDef[] = [
  { path: "category", label: "Photo category", kind: "select", options: PHOTO_CATEGORIES },
  { path: "caption", label: "Caption", kind: "text", check: checkText(500) },
];

const ALL: Record<string, FieldDef> = Object.fromEntries(VISIT_FIELDS.map((f) => [f.path, f]));

export function visitField(path: string): FieldDef {
  const f = ALL[path];
  if (!f) throw new Error(`unknown visit field ${path}`);
  return f;
}

export function fieldLabel(collection: string, path: string): string {
  const list = collection === "visits" ? VISIT_FIELDS : collection === "property_items" ? PROPERTY_ITEM_FIELDS : collection === "kit_issues" ? KIT_FIELDS : PHOTO_FIELDS;
  return list.find((f) => f.path === path)?.label ?? path;
}

export function optionLabel(options: readonly Option[], value: unknown): string {
  return options.find(([v]) => v === value)?.[1] ?? String(value ?? "");
}

/** The visit's sections, in the order the app lists them (any order works). */
export const SECTIONS = [
  { id: "reference", title: "Reference" },
  { id: "attendance", title: "Attendance" },
  { id: "place", title: "Place" },
  { id: "victim", title: "Victim" },
  { id: "offence", title: "Offence" },
  { id: "property", title: "Property taken" },
  { id: "enquiry", title: "Lines of enquiry" },
  { id: "photos", title: "Photos" },
  { id: "kits", title: "SmartWater kits" },
  { id: "advice", title: "Prevention advice" },
  { id: "complete", title: "Check and complete" },
  { id: "aftercare", title: "After the visit" },
] as const;
export type SectionId = (typeof SECTIONS)[number]["id"];

/** Which section shows a visit path. */
export function sectionOf(path: string): SectionId {
  const head = path.split(".")[0] ?? "";
  const map: Record<string, SectionId> = {
    reference: "reference", attendance: "attendance", address: "place", location: "place", place: "place",
    victim: "victim", offence: "offence", loss: "property", enquiry: "enquiry", advice: "advice",
  };
  return map[head] ?? "complete";
}

/** The DOM id of a field's input (stable, for links from the completion checks). */
export function inputId(recordId: string, path: string): string {
  return `f-${recordId.slice(0, 8)}-${path.replace(/\./g, "-")}`;
}
