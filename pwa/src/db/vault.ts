/**
 * The encryption seam. Every record that can hold personal data (visit fields, child records,
 * server copies, queued mutations and their results, unsaved drafts, the officer's profile,
 * purged-visit stubs) and every photo blob passes through a Vault on its way into IndexedDB
 * and out of it. Nothing else in the app touches IndexedDB (see database.ts).
 *
 * `AesGcmVault` seals with AES-256-GCM under this phone's data key (crypto/keys.ts), held in
 * memory only while the app is unlocked:
 * - a fresh random 96-bit IV for every write;
 * - additional authenticated data binding each value to where it is stored
 *   (`doorstep/v1/<store>/<record id>`), so a sealed value moved to another record, another
 *   store or another key does not open;
 * - any change to the IV, the ciphertext or the tag fails to open (VaultError).
 *
 * Sealed values are `{v: 1, iv, ct}` (ct an ArrayBuffer; for photos a Blob of ciphertext, so
 * the browser keeps large values out of line). `lockedVault` refuses everything: storage opened
 * without a vault gets it (fail closed). `identityVault` (values as they are) remains for tests of
 * the storage logic, which must ask for it by name.
 */

import { fromUtf8, randomBytes, utf8 } from "../crypto/bytes";

/** What a vault produces: opaque to everyone but the vault. */
export type Sealed = unknown;

export interface Vault {
  /** Whether values can be sealed and opened now (a key is in memory, or no encryption at all). */
  readonly unlocked: boolean;
  /** Seal a JSON value for storage at `where` (store name and record id: the AAD). */
  seal(value: unknown, where: string): Promise<Sealed>;
  /** Open a value sealed by this vault at the same `where`. */
  open<T>(sealed: Sealed, where: string): Promise<T>;
  /** Seal photo bytes (the original is never altered: openBlob(sealBlob(b)) has the same bytes). */
  sealBlob(blob: Blob, where: string): Promise<Sealed>;
  openBlob(sealed: Sealed, where: string): Promise<Blob>;
}

/** The app is locked: the data key is not in memory. Nothing is lost; unlock to go on. */
export class LockedError extends Error {
  constructor() {
    super("Doorstep is locked on this phone. Unlock it to go on.");
    this.name = "LockedError";
  }
}

/** A sealed value that does not open: wrong key, changed bytes, or moved to another record. */
export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultError";
  }
}

/** No encryption (tests of the storage logic only; the app never uses it, and nothing defaults to it). */
export const identityVault: Vault = {
  unlocked: true,
  seal: (value) => Promise.resolve(value),
  open: <T>(sealed: Sealed) => Promise.resolve(sealed as T),
  sealBlob: (blob) => Promise.resolve(blob),
  openBlob: (sealed) => Promise.resolve(sealed as Blob),
};

/** A vault without a key (the service worker, a locked app): every call fails. */
export const lockedVault: Vault = {
  unlocked: false,
  seal: () => Promise.reject(new LockedError()),
  open: () => Promise.reject(new LockedError()),
  sealBlob: () => Promise.reject(new LockedError()),
  openBlob: () => Promise.reject(new LockedError()),
};

export const SEAL_VERSION = 1;

interface SealedValue {
  v: typeof SEAL_VERSION;
  iv: Uint8Array<ArrayBuffer>;
  ct: ArrayBuffer;
}
interface SealedBlob {
  v: typeof SEAL_VERSION;
  iv: Uint8Array<ArrayBuffer>;
  ct: Blob;
  /** The photo's MIME type (not personal), so the opened Blob is what was captured. */
  type: string;
}

export function aadFor(where: string): Uint8Array<ArrayBuffer> {
  return utf8(`doorstep/v${SEAL_VERSION}/${where}`);
}

function isSealed(x: unknown): x is { v: number; iv: Uint8Array; ct: unknown } {
  return typeof x === "object" && x !== null && (x as { v?: unknown }).v === SEAL_VERSION && (x as { iv?: unknown }).iv instanceof Uint8Array;
}

/** AES-256-GCM under a key held in memory; `lock()` forgets the key. */
export class AesGcmVault implements Vault {
  private key: CryptoKey | null;

  constructor(key: CryptoKey | null = null) {
    this.key = key;
  }

  get unlocked(): boolean {
    return this.key !== null;
  }

  /** Use this (non-extractable) key from now on. */
  setKey(key: CryptoKey): void {
    if (key.extractable) throw new Error("The data key must be non-extractable.");
    this.key = key;
  }

  /** Drop the key: nothing can be read or written until the next unlock. */
  lock(): void {
    this.key = null;
  }

  private requireKey(): CryptoKey {
    if (!this.key) throw new LockedError();
    return this.key;
  }

  private async encrypt(plain: BufferSource, where: string): Promise<{ iv: Uint8Array<ArrayBuffer>; ct: ArrayBuffer }> {
    const key = this.requireKey();
    const iv = randomBytes(12);
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aadFor(where), tagLength: 128 }, key, plain);
    return { iv, ct };
  }

  private async decrypt(iv: Uint8Array<ArrayBuffer>, ct: ArrayBuffer, where: string): Promise<ArrayBuffer> {
    const key = this.requireKey();
    try {
      return await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aadFor(where), tagLength: 128 }, key, ct);
    } catch {
      throw new VaultError(`The stored value at ${where} does not open: wrong key, changed, or not from this place.`);
    }
  }

  async seal(value: unknown, where: string): Promise<Sealed> {
    const { iv, ct } = await this.encrypt(utf8(JSON.stringify(value)), where);
    return { v: SEAL_VERSION, iv, ct } satisfies SealedValue;
  }

  async open<T>(sealed: Sealed, where: string): Promise<T> {
    this.requireKey();
    if (!isSealed(sealed) || !(sealed.ct instanceof ArrayBuffer)) throw new VaultError(`The value at ${where} is not sealed.`);
    const plain = await this.decrypt(new Uint8Array(sealed.iv), sealed.ct, where);
    return JSON.parse(fromUtf8(plain)) as T;
  }

  async sealBlob(blob: Blob, where: string): Promise<Sealed> {
    this.requireKey();
    const { iv, ct } = await this.encrypt(await blob.arrayBuffer(), where);
    return { v: SEAL_VERSION, iv, ct: new Blob([ct], { type: "application/octet-stream" }), type: blob.type } satisfies SealedBlob;
  }

  async openBlob(sealed: Sealed, where: string): Promise<Blob> {
    this.requireKey();
    if (!isSealed(sealed) || !(sealed.ct instanceof Blob)) throw new VaultError(`The photo at ${where} is not sealed.`);
    const plain = await this.decrypt(new Uint8Array(sealed.iv), await sealed.ct.arrayBuffer(), where);
    return new Blob([plain], { type: (sealed as SealedBlob).type ?? "" });
  }
}
