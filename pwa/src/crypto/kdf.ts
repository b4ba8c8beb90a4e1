/**
 * Key derivation. Two ways to the key-encryption key (KEK) that unwraps this phone's data key:
 *
 * - PRF (the normal way): the passkey's WebAuthn PRF output (32 bytes from the authenticator's
 *   hmac-secret, never sent anywhere) -> HKDF-SHA256 with a per-device random salt -> AES-GCM.
 * - PIN (only where the passkey has no PRF and the force allows it): the device passphrase
 *   (called the PIN in code and storage, as it once was one) -> Argon2id (memory-hard,
 *   WebAssembly from hash-wasm) -> HKDF-SHA256 -> AES-GCM.
 *
 * Every derived key is a non-extractable CryptoKey: script can use it, never read it.
 * See docs/device-security.md for the parameters and the threat model.
 */

import { bytesOf, utf8 } from "./bytes";

export const HKDF_INFO_PRF = "doorstep/v1/kek/prf";
export const HKDF_INFO_PIN = "doorstep/v1/kek/pin";

export interface Argon2Params {
  /** Memory in KiB (65536 = 64 MiB). */
  memoryKiB: number;
  /** Passes over the memory. */
  iterations: number;
  parallelism: number;
  hashLength: number;
}

/**
 * Production parameters: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended option is
 * 64 MiB, t=3, p=4; one lane because a phone's browser runs it on one thread anyway). About
 * 0.5-1.5 s on a current phone. Stored with each wrapped key, so they can be raised later.
 */
export const ARGON2_PARAMS: Readonly<Argon2Params> = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1, hashLength: 32 };

/**
 * The device passphrase. Someone with a copy of the browser profile guesses it offline, where no
 * wait after wrong guesses applies, at the cost of one Argon2id per guess (about 0.5 s of a core
 * natively, docs/device-security.md): 6 digits fall in under 6 core-days and 10 digits (dates,
 * phone and collar numbers) are what people pick. So: at least 10 characters, letters as well as
 * digits (several words are easiest to type at the door), and not one of the first guesses.
 */
export const PIN_MIN_LENGTH = 10;
export const PIN_MAX_LENGTH = 128;
const RUNS = ["abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "01234567890123456789"];
const COMMON = ["password", "passw0rd", "qwerty", "letmein", "doorstep"];

/** The passphrase as it is stretched: the same text typed on any keyboard gives the same key. */
export function normalisePin(pin: string): string {
  return pin.normalize("NFKC");
}

export function pinProblem(pin: string): string | null {
  const text = normalisePin(pin);
  const length = [...text].length;
  if (length < PIN_MIN_LENGTH) return `Use at least ${PIN_MIN_LENGTH} characters (a few words are easiest).`;
  if (length > PIN_MAX_LENGTH) return `Use at most ${PIN_MAX_LENGTH} characters.`;
  if (/^[\d\s]+$/u.test(text)) return "Use letters as well as digits: a number alone is quick to guess for someone with a copy of this phone's data.";
  const lower = text.toLowerCase();
  if (new Set(lower).size < 5) return "Use at least 5 different characters.";
  const compact = lower.replace(/[\s._-]/gu, "");
  const reversed = [...compact].reverse().join("");
  if (RUNS.some((run) => run.includes(compact) || run.includes(reversed))) return "Do not use a run of letters or keys like abcdefghij or qwertyuiop.";
  if (COMMON.some((word) => compact.includes(word))) return "Do not use a common password such as password or qwerty.";
  return null;
}

async function hkdfAesKey(ikm: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, info: string, usages: KeyUsage[]): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: utf8(info) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    usages,
  );
}

const KEK_USAGES: KeyUsage[] = ["wrapKey", "unwrapKey"];

/** The KEK from a passkey's PRF output (HKDF-SHA256, per-device salt). */
export async function kekFromPrf(prfOutput: ArrayBuffer | ArrayBufferView, salt: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const ikm = bytesOf(prfOutput);
  if (ikm.length < 32) throw new Error("The passkey's PRF output is too short.");
  try {
    return await hkdfAesKey(ikm, salt, HKDF_INFO_PRF, KEK_USAGES);
  } finally {
    ikm.fill(0);
  }
}

/** Argon2id of the PIN (raw bytes; the caller zeroes them). */
export async function argon2idBytes(pin: string, salt: Uint8Array<ArrayBuffer>, params: Argon2Params): Promise<Uint8Array<ArrayBuffer>> {
  // Loaded on demand: only PIN devices need the WebAssembly (and the CSP must allow it:
  // script-src 'wasm-unsafe-eval').
  const { argon2id } = await import("hash-wasm");
  const out = await argon2id({
    password: pin,
    salt,
    parallelism: params.parallelism,
    iterations: params.iterations,
    memorySize: params.memoryKiB,
    hashLength: params.hashLength,
    outputType: "binary",
  });
  return bytesOf(out);
}

/** The KEK from a device PIN (Argon2id, then HKDF-SHA256 for domain separation). */
export async function kekFromPin(pin: string, salt: Uint8Array<ArrayBuffer>, params: Argon2Params = ARGON2_PARAMS): Promise<CryptoKey> {
  const stretched = await argon2idBytes(normalisePin(pin), salt, params);
  try {
    return await hkdfAesKey(stretched, salt, HKDF_INFO_PIN, KEK_USAGES);
  } finally {
    stretched.fill(0);
  }
}

/** Can this browser run the PIN KDF (WebAssembly present and allowed by the page's CSP)? */
export async function pinKdfAvailable(): Promise<boolean> {
  try {
    await argon2idBytes("000000", new Uint8Array(16), { memoryKiB: 8, iterations: 1, parallelism: 1, hashLength: 16 });
    return true;
  } catch {
    return false;
  }
}
