/** Values of a visit as a supervisor reads them: labels from the field definitions, words not codes. */

import {
  DIGITAL_KINDS,
  fieldLabel,
  H2H_RESULTS,
  KIT_FIELDS,
  optionLabel,
  PHOTO_CATEGORIES,
  PROPERTY_ITEM_FIELDS,
  STATUS_LABELS,
  VISIT_FIELDS,
  type FieldDef,
} from "../../model/fields";
import { formatDateTime, formatPence } from "../../supervisor-api";

const EXTRA_LABELS: Record<string, string> = {
  status: "Status",
  "review.note": "Supervisor's note",
  "location.latitude": "Latitude",
  "location.longitude": "Longitude",
  "location.accuracy_m": "Location accuracy (metres)",
  "advice.items": "Advice items ticked",
  "enquiry.digital_evidence": "Digital evidence",
  "enquiry.house_to_house": "House-to-house",
  "enquiry.witnesses": "Witnesses",
  visit_id: "Visit",
  taken_at: "Taken at",
  byte_size: "Size",
  sha256: "SHA-256",
  content_type: "File type",
  "upload.status": "Upload",
  "upload.message": "Upload message",
};

const COLLECTION_FIELDS: Record<string, readonly FieldDef[]> = {
  visits: VISIT_FIELDS,
  property_items: PROPERTY_ITEM_FIELDS,
  kit_issues: KIT_FIELDS,
};

export const COLLECTION_LABELS: Record<string, string> = {
  visits: "Visit",
  property_items: "Property item",
  kit_issues: "SmartWater kit",
  photos: "Photo",
};

export function definition(collection: string, path: string): FieldDef | undefined {
  if (collection === "photos" && path === "category") return { path, label: "Photo category", kind: "select", options: PHOTO_CATEGORIES };
  return (COLLECTION_FIELDS[collection] ?? []).find((f) => f.path === path);
}

/** A field's visible label in any collection. */
export function labelOf(collection: string, path: string): string {
  if (collection === "visits" && EXTRA_LABELS[path]) return EXTRA_LABELS[path]!;
  const label = fieldLabel(collection, path);
  if (label !== path) return label;
  return EXTRA_LABELS[path] ?? path;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

function describeObject(path: string, item: Record<string, unknown>): string {
  const parts: string[] = [];
  if (path.endsWith("digital_evidence")) {
    parts.push(optionLabel(DIGITAL_KINDS, item["kind"]));
    for (const k of ["location", "holder", "note"]) if (item[k]) parts.push(String(item[k]));
  } else if (path.endsWith("house_to_house")) {
    parts.push(String(item["address"] ?? ""), optionLabel(H2H_RESULTS, item["result"]));
    if (item["advice_left"]) parts.push("advice left");
    if (item["kit_left"]) parts.push("kit left");
    if (item["note"]) parts.push(String(item["note"]));
  } else if (path.endsWith("witnesses")) {
    for (const k of ["name", "contact", "account"]) if (item[k]) parts.push(String(item[k]));
  } else if (path.endsWith("items") && "id" in item) {
    parts.push(`${String(item["id"])} (version ${String(item["version"] ?? "?")})`);
  } else {
    for (const [k, v] of Object.entries(item)) if (!isEmpty(v)) parts.push(`${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  }
  return parts.filter(Boolean).join(", ");
}

/** A value as words ("" when nothing is recorded). */
export function displayValue(collection: string, path: string, value: unknown): string {
  if (isEmpty(value)) return "";
  if (path === "status" && typeof value === "string") return STATUS_LABELS[value] ?? value;
  if (path === "upload.status" && typeof value === "string") return UPLOAD_WORDS[value] ?? value;
  if (path === "byte_size" && typeof value === "number") return value < 1024 * 1024 ? `${Math.round(value / 1024)} KB` : `${(value / 1024 / 1024).toFixed(1)} MB`;
  if (path === "taken_at" || path.endsWith("_at")) return formatDateTime(String(value));
  const def = definition(collection, path);
  if (def) {
    switch (def.kind) {
      case "select":
        return optionLabel(def.options ?? [], value);
      case "yesno":
        return value === true ? "Yes" : value === false ? "No" : String(value);
      case "multi":
        return Array.isArray(value) ? value.map((v) => optionLabel(def.options ?? [], v)).join(", ") : String(value);
      case "tags":
        return Array.isArray(value) ? value.join(", ") : String(value);
      case "pounds":
        return typeof value === "number" ? formatPence(value) : String(value);
      case "datetime":
        return formatDateTime(String(value));
      default:
        break;
    }
  }
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) {
    return value.map((v) => (v !== null && typeof v === "object" ? describeObject(path, v as Record<string, unknown>) : String(v))).join("; ");
  }
  if (typeof value === "object") return describeObject(path, value as Record<string, unknown>);
  return String(value);
}

export const UPLOAD_WORDS: Record<string, string> = {
  pending: "not received yet",
  uploading: "being uploaded",
  uploaded: "received, being checked",
  verified: "received and verified",
  failed: "failed its check",
};

const OPS: Record<string, string> = {
  create: "Created",
  put: "Changed",
  merge: "Changed",
  review: "Reviewed",
  delete: "Deleted",
  resolve: "Conflict resolved",
};

export function opLabel(op: string): string {
  return OPS[op] ?? op.charAt(0).toUpperCase() + op.slice(1);
}
