/**
 * The device secret of a phone whose passkey has no PRF (issue 14 item 7, SECURITY.md 37). With a
 * copy of the browser profile an attacker guesses it offline, where no wait after wrong guesses
 * applies: each guess costs one Argon2id (64 MiB, t=3; about 0.5 s of a core natively, measured
 * in docs/device-security.md), so 6 digits (10^6) fall in under 6 core-days. The secret must be
 * a passphrase of at least 10 characters, not digits only; a phone set up with a short PIN
 * must change it at the next unlock (the data key is re-wrapped, the data is not touched).
 */

import { describe, expect, it } from "vitest";

import { DeviceKey } from "../../src/crypto/device";
import { kekFromPin, pinProblem, type Argon2Params } from "../../src/crypto/kdf";
import { newDataKey, WrongKeyError, type VaultConfig } from "../../src/crypto/keys";
import { randomBytes } from "../../src/crypto/bytes";
import { AesGcmVault, META, Store } from "../../src/storage";

const SMALL: Argon2Params = { memoryKiB: 256, iterations: 2, parallelism: 1, hashLength: 32 };
const PASSPHRASE = "harbour lantern 7";

async function deviceKey(): Promise<{ store: Store; keys: DeviceKey; vault: AesGcmVault }> {
  const vault = new AesGcmVault();
  const store = await Store.open(`pin-policy-${Math.random()}`, vault);
  const keys = new DeviceKey(store.meta, vault, SMALL);
  await keys.load();
  return { store, keys, vault };
}

describe("the device passphrase (phones without PRF)", () => {
  it("test_six_digit_pin_is_refused_as_too_cheap_to_guess_offline", async () => {
    expect(pinProblem("482916")).toMatch(/at least 10/);
    expect(pinProblem("4829163307")).toMatch(/letters/); // 10^10: digits are what people pick as dates and numbers
    expect(pinProblem("4829 1633 07")).toMatch(/letters/);
    expect(pinProblem("aaaaaaaaaa")).toMatch(/different/);
    expect(pinProblem("abababababab")).toMatch(/different/);
    expect(pinProblem("abcdefghijk")).toMatch(/run/);
    expect(pinProblem("qwertyuiop")).toMatch(/run/);
    expect(pinProblem("Password123")).toMatch(/common/);
    expect(pinProblem(PASSPHRASE)).toBeNull();
    expect(pinProblem("k7m2q9x4w1")).toBeNull();
    const { store, keys } = await deviceKey();
    await expect(keys.setupPin("482916")).rejects.toThrow(/at least 10/);
    expect(keys.configured).toBe(false);
    await keys.setupPin(PASSPHRASE);
    expect(keys.pinChangeRequired).toBe(false);
    await store.wipe();
  });

  it("test_existing_six_digit_pin_must_be_changed_at_next_unlock", async () => {
    // A phone set up before: its data key wrapped under a 6-digit PIN.
    const { store, keys, vault } = await deviceKey();
    const salt = randomBytes(16);
    const { key, wrapped } = await newDataKey(await kekFromPin("482916", salt, SMALL));
    const old: VaultConfig = { v: 1, method: "pin", created_at: "2026-01-01T00:00:00.000Z", salt, wrapped, prf: null, argon2: SMALL };
    await store.meta.set(META.vault, old);
    vault.setKey(key);
    await store.meta.setSealed("profile", { name: "PC Sam Patel" });
    vault.lock();
    await keys.load();

    await keys.unlockWithPin("482916");
    expect(keys.pinChangeRequired).toBe(true);
    await expect(keys.changePin("4829163307")).rejects.toThrow(/letters/);
    expect(keys.pinChangeRequired).toBe(true);
    await keys.changePin(PASSPHRASE);
    expect(keys.pinChangeRequired).toBe(false);
    expect(await store.meta.getSealed("profile")).toEqual({ name: "PC Sam Patel" }); // same data key

    const config = (await store.meta.get<VaultConfig>(META.vault)) as VaultConfig;
    expect(config.method).toBe("pin");
    expect(Buffer.from(config.salt).equals(Buffer.from(salt))).toBe(false);
    expect(config.argon2).toEqual(SMALL);
    keys.lock();
    await expect(keys.unlockWithPin("482916")).rejects.toBeInstanceOf(WrongKeyError);
    await keys.unlockWithPin(PASSPHRASE);
    expect(keys.pinChangeRequired).toBe(false);
    expect(await store.meta.getSealed("profile")).toEqual({ name: "PC Sam Patel" });
    await store.wipe();
  });

  it("locking before the change leaves the short PIN in force, and asks again at the next unlock", async () => {
    const { store, keys, vault } = await deviceKey();
    const salt = randomBytes(16);
    const { key, wrapped } = await newDataKey(await kekFromPin("482916", salt, SMALL));
    await store.meta.set(META.vault, { v: 1, method: "pin", created_at: "2026-01-01T00:00:00.000Z", salt, wrapped, prf: null, argon2: SMALL });
    vault.setKey(key);
    vault.lock();
    await keys.load();
    await keys.unlockWithPin("482916");
    keys.lock();
    expect(keys.pinChangeRequired).toBe(false);
    await expect(keys.changePin(PASSPHRASE)).rejects.toThrow();
    await keys.unlockWithPin("482916");
    expect(keys.pinChangeRequired).toBe(true);
    await store.wipe();
  });
});
