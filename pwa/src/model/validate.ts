/**
 * Client-side value checks that mirror the server's (server/validation.py), so what the
 * officer types is checked at the door and what gets queued is what the server accepts.
 * Each check returns the normalised value, or an error message for the officer.
 */

import type { JSONValue } from "../sync";

export type Check = { ok: true; value: JSONValue } | { ok: false; error: string };

const POSTCODE =
  /^(GIR ?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?) ?[0-9][ABD-HJLNP-UW-Z]{2}|BFPO ?[0-9]{1,4}|(?:ASCN|STHL|TDCU|BBND|BIQQ|FIQQ|PCRN|SIQQ|TKCA) ?1ZZ)$/;

export const DEFAULT_CRIME_REFERENCE_PATTERN = "[A-Z0-9][A-Z0-9/\\-]{3,29}";

const ok = (value: JSONValue): Check => ({ ok: true, value });
const bad = (error: string): Check => ({ ok: false, error });

export function checkPostcode(text: string): Check {
  const compact = text.replace(/\s+/g, "").toUpperCase();
  if (!POSTCODE.test(compact)) return bad("Enter a UK postcode, for example SW1A 1AA");
  if (compact.startsWith("BFPO")) return ok(`BFPO ${compact.slice(4)}`);
  return ok(`${compact.slice(0, -3)} ${compact.slice(-3)}`);
}

export function checkCrimeReference(text: string, pattern = DEFAULT_CRIME_REFERENCE_PATTERN): Check {
  const value = text.trim().toUpperCase();
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    re = new RegExp(`^(?:${DEFAULT_CRIME_REFERENCE_PATTERN})$`);
  }
  if (value.length > 40 || !re.test(value)) return bad("This is not in your force's crime reference format");
  return ok(value);
}

export function checkVehicleRegistration(text: string): Check {
  const value = text.toUpperCase().split(/\s+/).filter(Boolean).join(" ");
  if (!/^[A-Z0-9]{1,4} ?[A-Z0-9]{1,4}$/.test(value)) return bad("Enter a registration, for example AB12 CDE");
  return ok(value);
}

export function checkPhone(text: string): Check {
  const value = text.trim();
  if (!/^\+?[0-9 ()-]{6,31}$/.test(value)) return bad("Enter a phone number (digits, spaces, + ( ) -)");
  return ok(value);
}

export function checkEmail(text: string): Check {
  const value = text.trim();
  if (value.length > 254 || !/^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$/.test(value)) return bad("Enter an email address like name@example.com");
  return ok(value);
}

export function checkPattern(re: RegExp, message: string, max: number, upper = false): (text: string) => Check {
  return (text) => {
    const value = upper ? text.trim().toUpperCase() : text.trim();
    if (value.length > max || !re.test(value)) return bad(message);
    return ok(value);
  };
}

export function checkText(max: number, strip = true): (text: string) => Check {
  return (text) => {
    const value = strip ? text.trim() : text;
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0b-\x1f]/.test(value)) return bad("Remove the control characters");
    if (value.length > max) return bad(`Keep this to ${max} characters`);
    return ok(value);
  };
}

/** Pounds as typed ("1,250.50") to whole pence. */
export function checkPounds(text: string): Check {
  const clean = text.replace(/[£,\s]/g, "");
  if (!/^\d{1,8}(\.\d{1,2})?$/.test(clean)) return bad("Enter an amount in pounds, for example 250 or 12.50");
  return ok(Math.round(Number(clean) * 100));
}

/** A datetime-local value (device's local time) to an ISO instant in UTC. */
export function checkLocalDateTime(text: string): Check {
  const t = Date.parse(text);
  if (Number.isNaN(t)) return bad("Enter a date and time");
  return ok(new Date(t).toISOString());
}

/** An ISO instant to the value a datetime-local input shows (local time, minutes). */
export function toLocalInput(iso: JSONValue | undefined): string {
  if (typeof iso !== "string") return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Same instant, whatever the spelling ("...:00Z" from the server, "...:00.000Z" from the phone). */
export function sameInstant(a: JSONValue | undefined, b: JSONValue | undefined): boolean {
  if (typeof a !== "string" || typeof b !== "string") return a === b;
  return Date.parse(a) === Date.parse(b);
}
