/**
 * The survey link's token (docs/aftercare.md, "Mint the survey token"): 16 random bytes from
 * the platform's CSPRNG, RFC 4648 base32 without padding, lower case (26 characters). Only its
 * SHA-256 goes into the synced `leave_behinds` record; the token itself stays on the phone and
 * on the victim's page.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 with "=" padding. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

export const TOKEN_RE = /^[a-z2-7]{26}$/;

/** A new survey token from 16 bytes of `random` (crypto.getRandomValues by default). */
export function mintSurveyToken(random: (b: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(16));
  return base32(bytes).replace(/=+$/, "").toLowerCase();
}

/** Lower-case hex SHA-256 of the token's UTF-8 bytes: what the server keeps. */
export async function tokenSha256(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The victim's survey address for a token. */
export function surveyLink(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, "")}/s/${token}`;
}
