/** Shapes kept on the device and exchanged with the server (snake_case as on the wire). */

import type { Conflict, JSONValue } from "../sync";

/** A flat record: dotted path -> JSON value. */
export type Fields = Record<string, JSONValue>;

/** `reports` is pull-only: the phone keeps what the server sends and never queues an edit. */
export type CollectionName =
  | "visits" | "property_items" | "kit_issues" | "photos" | "reports"
  // Aftercare (docs/aftercare.md): append-only children of a visit.
  | "addenda" | "victim_updates" | "survey_responses" | "leave_behinds";

/** A record as the server last delivered it (the "server copy"). */
export interface ServerCopy {
  collection: CollectionName;
  id: string;
  visit_id: string | null;
  rev: number;
  deleted: boolean;
  record: Fields;
  conflicts: Conflict[];
}

/** What the officer sees: the server copy with still-pending local edits overlaid. */
export interface LocalRecord {
  collection: CollectionName;
  id: string;
  visit_id: string | null;
  /** The rev of the server copy the view is built on (null: never received from the server). */
  base_rev: number | null;
  fields: Fields;
  conflicts: Conflict[];
  /** Local mutations not yet reflected by a pull. */
  pending: number;
  updated_at: string;
}

export type OutboxState = "queued" | "accepted" | "rejected";

export interface PushResult {
  seq: number;
  status: "applied" | "merged" | "conflict" | "rejected";
  rev: number | null;
  error: { code: string; message: string; details?: Record<string, JSONValue> } | null;
}

/** One queued mutation. Its wire content never changes once `sent` is true. */
export interface OutboxEntry {
  /** Local queue position (IndexedDB key), increasing for ever, never reused. */
  qid?: number;
  /** Which sync identity (client_id) the seq belongs to; a sequence recovery starts a new one. */
  epoch: number;
  seq: number;
  collection: CollectionName;
  id: string;
  op: "put" | "delete";
  base_rev: number | null;
  /** Dotted paths and, for a resolution, the `_resolve` directive. */
  fields: Fields;
  at: string;
  visit_id: string | null;
  /** Handed to the network at least once: frozen from then on (no coalescing). */
  sent: boolean;
  state: OutboxState;
  result: PushResult | null;
  /** The officer has dealt with a rejection (kept all the same, never deleted). */
  dismissed: boolean;
}

export type UploadState = "waiting" | "uploading" | "uploaded" | "verified" | "failed";

/** A photo's original bytes, kept on the device until the server has verified them. */
export interface PhotoBlobEntry {
  id: string;
  visit_id: string;
  blob: Blob;
  sha256: string;
  content_type: string;
  byte_size: number;
  taken_at: string;
  upload_state: UploadState;
  upload_offset: number;
  upload_error: string | null;
  attempts: number;
}

/** tus-js-client's previous-upload record (persisted so uploads resume after a reload). */
export interface TusUrlRecord {
  key: string;
  fingerprint: string;
  size: number | null;
  metadata: Record<string, string>;
  creationTime: string;
  urlStorageKey: string;
  uploadUrl: string | null;
  parallelUploadUrls: string[] | null;
}

export interface Officer {
  id: string;
  collar_number: string;
  display_name: string;
  role: string;
  team_id: number;
  contact_phone: string;
  contact_email: string;
}

/** What this device is told about another device of the same account (GET /api/me `notices`). */
export interface DeviceNotice {
  id: string;
  kind: "device_added" | "device_already_there";
  /** Ready to show: "A new device was added to your account on ... (label), with ...". */
  message: string;
  added_at: string;
  device: { id: string; label: string; created_at: string; revoked_at: string | null };
  issued_by: { id: string; display_name: string; collar_number: string } | null;
  issued_by_self: boolean;
  /** Answering "not recognised" revokes the other device (only a device that was there first). */
  can_revoke: boolean;
  acknowledged_at: string | null;
  recognised: boolean | null;
}

export interface Profile {
  officer: Officer;
  team: { id: number; code: string; name: string; area_id: number; area_name: string };
  device: { id: string; label: string; prf_enabled: boolean };
  /** Devices added to this account that this device has not yet acknowledged, oldest first. */
  notices?: DeviceNotice[];
  settings: {
    force_name: string;
    crime_reference_pattern: string;
    attendance_target_seconds: number;
    officers_see_team_visits: boolean;
    [key: string]: JSONValue;
  };
}

export interface AdviceItem {
  id: string;
  version: number;
  category: string;
  title: string;
  body: string;
  tags: string[];
}

export interface Catalogue {
  version: string;
  items: AdviceItem[];
}
