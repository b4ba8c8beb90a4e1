/**
 * This phone's data key (DK): a random AES-256-GCM key that encrypts every personal record and
 * photo in IndexedDB (db/vault.ts). It is stored only wrapped (AES-GCM) under a KEK that
 * is derived at each unlock from the passkey's PRF output or from the device PIN (kdf.ts), and
 * lives unwrapped only in memory as a non-extractable CryptoKey until the app locks.
 *
 * The wrapped DK and the public parameters (salts, PRF input, credential id, Argon2 settings)
 * are kept in clear in the `meta` store under `vault`: none of them helps without the passkey
 * (or the PIN). Deleting that one row makes everything the phone holds unreadable
 * (crypto-shredding), which is the first thing a wipe does.
 */

import { type Argon2Params } from "./kdf";
import { randomBytes, utf8 } from "./bytes";

export type VaultMethod = "prf" | "pin" | "ephemeral";

export interface WrappedKey {
  iv: Uint8Array<ArrayBuffer>;
  ct: ArrayBuffer;
}

export interface VaultConfig {
  v: 1;
  method: VaultMethod;
  created_at: string;
  /** HKDF salt (PRF) or Argon2 + HKDF salt (PIN); empty for "ephemeral". */
  salt: Uint8Array<ArrayBuffer>;
  /** The DK wrapped under the KEK (none for "ephemeral": that key is never stored). */
  wrapped: WrappedKey | null;
  /** PRF: which passkey, for which RP id, evaluated on which input. */
  prf: { credential_id: string; rp_id: string; input: Uint8Array<ArrayBuffer> } | null;
  argon2: Argon2Params | null;
}

const WRAP_AAD = utf8("doorstep/v1/data-key");
const DK_ALGORITHM = { name: "AES-GCM", length: 256 } as const;
const DK_USAGES: KeyUsage[] = ["encrypt", "decrypt"];

export class WrongKeyError extends Error {
  constructor(message = "This key cannot open this phone's data.") {
    super(message);
    this.name = "WrongKeyError";
  }
}

/** A new DK, returned usable (non-extractable) and wrapped under `kek` for storage. */
export async function newDataKey(kek: CryptoKey): Promise<{ key: CryptoKey; wrapped: WrappedKey }> {
  // Extractable only for the moment it takes to wrap it; the copy the app uses is not.
  const exportable = await crypto.subtle.generateKey(DK_ALGORITHM, true, DK_USAGES);
  const iv = randomBytes(12);
  const ct = await crypto.subtle.wrapKey("raw", exportable, kek, { name: "AES-GCM", iv, additionalData: WRAP_AAD });
  const wrapped = { iv, ct };
  return { key: await unwrapDataKey(wrapped, kek), wrapped };
}

/** The DK from its wrapped form; WrongKeyError when `kek` is not the one it was wrapped under. */
export async function unwrapDataKey(wrapped: WrappedKey, kek: CryptoKey): Promise<CryptoKey> {
  try {
    return await crypto.subtle.unwrapKey(
      "raw",
      wrapped.ct,
      kek,
      { name: "AES-GCM", iv: wrapped.iv, additionalData: WRAP_AAD },
      DK_ALGORITHM,
      false,
      DK_USAGES,
    );
  } catch {
    throw new WrongKeyError();
  }
}

/**
 * The same DK wrapped under another KEK (a new device passphrase): unwrapped extractable only
 * inside this call, so the data itself is not re-encrypted. WrongKeyError when `oldKek` is wrong.
 */
export async function rewrapDataKey(wrapped: WrappedKey, oldKek: CryptoKey, newKek: CryptoKey): Promise<WrappedKey> {
  let exportable: CryptoKey;
  try {
    exportable = await crypto.subtle.unwrapKey("raw", wrapped.ct, oldKek, { name: "AES-GCM", iv: wrapped.iv, additionalData: WRAP_AAD }, DK_ALGORITHM, true, DK_USAGES);
  } catch {
    throw new WrongKeyError();
  }
  const iv = randomBytes(12);
  const ct = await crypto.subtle.wrapKey("raw", exportable, newKek, { name: "AES-GCM", iv, additionalData: WRAP_AAD });
  return { iv, ct };
}

/** A DK that is never stored anywhere ("online only" devices): gone when the page closes. */
export function ephemeralDataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey(DK_ALGORITHM, false, DK_USAGES) as Promise<CryptoKey>;
}
