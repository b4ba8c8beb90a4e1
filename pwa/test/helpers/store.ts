import { identityVault, Store } from "../../src/storage";

let n = 0;
/** A fresh database per test (fake-indexeddb keeps them in memory), without encryption: tests
 *  of the storage logic ask for the identity vault by name (nothing defaults to it). */
export async function freshStore(): Promise<Store> {
  n += 1;
  return Store.open(`test-${Date.now()}-${n}-${Math.random()}`, identityVault);
}

export const VISIT = "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
export const ITEM = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";

/** A non-extractable AES-GCM data key, as the phone holds in memory while unlocked. */
export async function dataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]) as Promise<CryptoKey>;
}
