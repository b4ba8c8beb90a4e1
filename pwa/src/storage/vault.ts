/**
 * The encryption seam. Every record that can hold personal data (visit fields, server copies,
 * queued mutations, unsaved drafts, the officer's profile) and every photo blob passes through
 * a Vault on its way into IndexedDB and out of it.
 *
 * Today the vault is the identity. The device-encryption issue replaces it with AES-GCM under a
 * key derived (HKDF) from the passkey's PRF output; nothing else in the app changes, because
 * nothing else touches IndexedDB (see storage/index.ts).
 */

/** What a vault produces: opaque to everyone but the vault. */
export type Sealed = unknown;

export interface Vault {
  /** Seal a structured-cloneable value for storage. */
  seal(value: unknown): Promise<Sealed>;
  /** Open a value sealed by this vault. */
  open<T>(sealed: Sealed): Promise<T>;
  /** Seal photo bytes (the original is never altered: open(seal(b)) has the same bytes). */
  sealBlob(blob: Blob): Promise<Sealed>;
  openBlob(sealed: Sealed): Promise<Blob>;
}

/** No encryption yet: values are stored as they are. */
export const identityVault: Vault = {
  seal: (value) => Promise.resolve(value),
  open: <T>(sealed: Sealed) => Promise.resolve(sealed as T),
  sealBlob: (blob) => Promise.resolve(blob),
  openBlob: (sealed) => Promise.resolve(sealed as Blob),
};
