/** Typed sync errors: a stable code, a human message and JSON details (port of sync/errors.py). */

import type { JSONValue } from "./canonical";

/**
 * Codes are part of the wire contract (clients switch on them); the HTTP
 * status is what the server answers when the error ends a whole request.
 */
export const HTTP_STATUS: Readonly<Record<string, number>> = Object.freeze({
  invalid_request: 422,
  invalid_mutation: 422,
  invalid_path: 422,
  invalid_batch: 422,
  invalid_limit: 422,
  note_required: 422,
  bad_cursor: 400,
  seq_gap: 409,
  seq_reused: 409,
  bad_base_rev: 409,
  deleted: 409,
  invalid_transition: 409,
  visit_locked: 409,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  too_many_mutations: 413,
  unsupported_encoding: 415,
  invalid_state: 500,
});

/** The wire shape of an error: `{"code", "message", "details"}`. */
export interface SyncErrorJSON {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, JSONValue>;
}

/** Map an error code to its HTTP status (400 for codes not in the table). */
export function httpStatus(code: string): number {
  return Object.prototype.hasOwnProperty.call(HTTP_STATUS, code) ? (HTTP_STATUS[code] ?? 400) : 400;
}

/** A sync rule was broken; `code` is stable, `details` is JSON-plain. */
export class SyncError extends Error {
  readonly code: string;
  readonly details: Record<string, JSONValue>;

  constructor(code: string, message: string, details: Readonly<Record<string, JSONValue>> = {}) {
    super(message);
    this.name = "SyncError";
    this.code = code;
    this.details = { ...details };
  }

  /** HTTP status the server answers with when this error ends a request. */
  get httpStatus(): number {
    return httpStatus(this.code);
  }

  /** Return the wire shape {"code", "message", "details"}. */
  toJSON(): SyncErrorJSON {
    return { code: this.code, message: this.message, details: { ...this.details } };
  }

  /** "code: message", as Python's str(SyncError) reads. */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}
