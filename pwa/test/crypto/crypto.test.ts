import { createHmac, hkdfSync } from "node:crypto";

import { afterEach, describe, expect, it, vi } from "vitest";

import { withoutPrfResults } from "../../src/auth";
import { fromB64url, randomBytes, toB64url } from "../../src/crypto/bytes";
import { DeviceKey, FREE_PIN_ATTEMPTS, PinWaitError, pinDelayMs } from "../../src/crypto/device";
import { ARGON2_PARAMS, HKDF_INFO_PRF, argon2idBytes, kekFromPin, kekFromPrf, pinProblem, type Argon2Params } from "../../src/crypto/kdf";
import { newDataKey, unwrapDataKey, WrongKeyError, type VaultConfig } from "../../src/crypto/keys";
import { AesGcmVault, LockedError, META, Store } from "../../src/storage";

/** Small Argon2id parameters so the tests run fast (production: ARGON2_PARAMS). */
const SMALL: Argon2Params = { memoryKiB: 256, iterations: 2, parallelism: 1, hashLength: 32 };

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("key derivation from the passkey's PRF output (HKDF-SHA256)", () => {
  it("is HKDF-SHA256 over the PRF output with the device salt and our info string", async () => {
    const prf = randomBytes(32);
    const salt = randomBytes(32);
    const kek = await kekFromPrf(prf, salt);
    expect(kek.extractable).toBe(false);
    const { wrapped } = await newDataKey(kek);
    // The same KEK computed independently (Node's HKDF) unwraps the data key.
    const reference = Buffer.from(hkdfSync("sha256", prf, salt, Buffer.from(HKDF_INFO_PRF), 32));
    const refKey = await crypto.subtle.importKey("raw", reference, "AES-GCM", false, ["unwrapKey"]);
    const dk = await unwrapDataKey(wrapped, refKey);
    expect(dk.extractable).toBe(false);
    expect(dk.usages.sort()).toEqual(["decrypt", "encrypt"]);
  });

  it("another PRF output or another salt cannot unwrap the data key", async () => {
    const prf = randomBytes(32);
    const salt = randomBytes(32);
    const { wrapped } = await newDataKey(await kekFromPrf(prf, salt));
    await expect(unwrapDataKey(wrapped, await kekFromPrf(randomBytes(32), salt))).rejects.toBeInstanceOf(WrongKeyError);
    await expect(unwrapDataKey(wrapped, await kekFromPrf(prf, randomBytes(32)))).rejects.toBeInstanceOf(WrongKeyError);
    await expect(unwrapDataKey(wrapped, await kekFromPrf(prf, salt))).resolves.toBeDefined();
  });

  it("refuses a PRF output shorter than 32 bytes", async () => {
    await expect(kekFromPrf(new Uint8Array(16), randomBytes(32))).rejects.toThrow(/too short/);
  });

  it("the data key encrypts records that only the same key opens", async () => {
    const { key, wrapped } = await newDataKey(await kekFromPrf(bytes(32, 1), bytes(32, 2)));
    const sealed = await new AesGcmVault(key).seal({ n: "Ann" }, "meta/x");
    const again = await unwrapDataKey(wrapped, await kekFromPrf(bytes(32, 1), bytes(32, 2)));
    expect(await new AesGcmVault(again).open(sealed, "meta/x")).toEqual({ n: "Ann" });
  });
});

describe("key derivation from a device PIN (Argon2id)", () => {
  it("production parameters are 64 MiB, 3 passes, 1 lane, 32 bytes", () => {
    expect(ARGON2_PARAMS).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 1, hashLength: 32 });
  });

  it("is deterministic for one PIN, salt and parameters, and differs when any changes", async () => {
    const salt = bytes(16, 7);
    const a = await argon2idBytes("482916", salt, SMALL);
    expect(a).toHaveLength(32);
    expect(Buffer.from(await argon2idBytes("482916", salt, SMALL)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(await argon2idBytes("482917", salt, SMALL)).equals(Buffer.from(a))).toBe(false);
    expect(Buffer.from(await argon2idBytes("482916", bytes(16, 8), SMALL)).equals(Buffer.from(a))).toBe(false);
    expect(Buffer.from(await argon2idBytes("482916", salt, { ...SMALL, iterations: 3 })).equals(Buffer.from(a))).toBe(false);
  });

  it("matches a published Argon2id test value", async () => {
    // argon2id v1.3, password "password", salt "somesalt", t=2, m=65536 KiB, p=1, 32 bytes
    // ($argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc).
    const out = await argon2idBytes("password", new TextEncoder().encode("somesalt") as Uint8Array<ArrayBuffer>, {
      memoryKiB: 65536, iterations: 2, parallelism: 1, hashLength: 32,
    });
    expect(Buffer.from(out).toString("hex")).toBe("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7");
  });

  it("a wrong PIN does not unwrap the data key", async () => {
    const salt = bytes(16, 3);
    const { wrapped } = await newDataKey(await kekFromPin("482916", salt, SMALL));
    await expect(unwrapDataKey(wrapped, await kekFromPin("482917", salt, SMALL))).rejects.toBeInstanceOf(WrongKeyError);
    await expect(unwrapDataKey(wrapped, await kekFromPin("482916", salt, SMALL))).resolves.toBeDefined();
  });

  it("passphrases: at least 10 characters, not digits only, no repeats, runs or common passwords", () => {
    expect(pinProblem("48291")).toMatch(/at least 10/);
    expect(pinProblem("1234567890")).toMatch(/letters/);
    expect(pinProblem("zzzzzzzzzzzz")).toMatch(/different/);
    expect(pinProblem("0123456789a")).toBeNull(); // a run with a letter: 11 characters, allowed
    expect(pinProblem("jihgfedcba")).toMatch(/run/);
    expect(pinProblem("my qwerty pad")).toMatch(/common/);
    expect(pinProblem("x".repeat(129))).toMatch(/at most 128/);
    expect(pinProblem("blue kettle 42")).toBeNull();
  });

  it("the same passphrase typed with composed or decomposed accents gives the same key", async () => {
    const salt = bytes(16, 5);
    const { wrapped } = await newDataKey(await kekFromPin("caf\u00e9 au lait 9", salt, SMALL));
    await expect(unwrapDataKey(wrapped, await kekFromPin("cafe\u0301 au lait 9", salt, SMALL))).resolves.toBeDefined();
  });
});

async function deviceKey(now: () => number = Date.now): Promise<{ store: Store; keys: DeviceKey; vault: AesGcmVault }> {
  const vault = new AesGcmVault();
  const store = await Store.open(`device-key-${Math.random()}`, vault);
  const keys = new DeviceKey(store.meta, vault, SMALL, now);
  await keys.load();
  return { store, keys, vault };
}

describe("DeviceKey: the PIN path", () => {
  it("sets up, locks, refuses a wrong PIN, unlocks with the right one, after a restart too", async () => {
    const { store, keys, vault } = await deviceKey();
    await expect(keys.setupPin("123456")).rejects.toThrow(/at least 10/);
    await keys.setupPin("blue kettle 42");
    await store.meta.setSealed("profile", { name: "PC Sam Patel" });
    const config = (await store.meta.get<VaultConfig>(META.vault)) as VaultConfig;
    expect(config.method).toBe("pin");
    expect(config.argon2).toEqual(SMALL);
    expect(config.salt).toHaveLength(16);
    keys.lock();
    expect(keys.locked).toBe(true);
    await expect(store.meta.getSealed("profile")).rejects.toBeInstanceOf(LockedError);
    await expect(keys.unlockWithPin("blue kettle 43")).rejects.toThrow("Wrong passphrase.");
    await keys.unlockWithPin("blue kettle 42");
    expect(await store.meta.getSealed("profile")).toEqual({ name: "PC Sam Patel" });
    // A new page: the same database, a new (empty) vault.
    const vault2 = new AesGcmVault();
    const reopened = await Store.open(store.name, vault2);
    const keys2 = new DeviceKey(reopened.meta, vault2, SMALL);
    await keys2.load();
    expect(keys2.locked).toBe(true);
    await keys2.unlockWithPin("blue kettle 42");
    expect(await reopened.meta.getSealed("profile")).toEqual({ name: "PC Sam Patel" });
    expect(vault.unlocked).toBe(true);
    await store.wipe();
  });

  it("makes the officer wait, longer each time, after 5 wrong PINs", async () => {
    let t = 1_000_000;
    const { store, keys } = await deviceKey(() => t);
    await keys.setupPin("blue kettle 42");
    keys.lock();
    for (let i = 0; i < FREE_PIN_ATTEMPTS; i += 1) await expect(keys.unlockWithPin("000001")).rejects.toBeInstanceOf(WrongKeyError);
    await expect(keys.unlockWithPin("blue kettle 42")).rejects.toBeInstanceOf(PinWaitError);
    t += pinDelayMs(FREE_PIN_ATTEMPTS);
    await keys.unlockWithPin("blue kettle 42");
    expect(keys.locked).toBe(false);
    expect(pinDelayMs(4)).toBe(0);
    expect(pinDelayMs(6)).toBe(2 * pinDelayMs(5));
    await store.wipe();
  });
});

/** A fake platform authenticator: PRF = HMAC-SHA256(secret, input), as hmac-secret is. */
function fakeAuthenticator(credentialId: Uint8Array, secret = randomBytes(32)) {
  const calls: PublicKeyCredentialRequestOptions[] = [];
  const get = vi.fn(async ({ publicKey }: { publicKey: PublicKeyCredentialRequestOptions }) => {
    calls.push(publicKey);
    const input = (publicKey.extensions as { prf: { eval: { first: Uint8Array } } }).prf.eval.first;
    const first = createHmac("sha256", secret).update(input).digest();
    return { rawId: credentialId.buffer, getClientExtensionResults: () => ({ prf: { results: { first: new Uint8Array(first).buffer } } }) };
  });
  vi.stubGlobal("navigator", { credentials: { get } });
  return { calls, secret };
}

describe("DeviceKey: the PRF path", () => {
  it("unlocks offline with a local assertion: this device's credential, random challenge, stored PRF input", async () => {
    const credentialId = randomBytes(16);
    const auth = fakeAuthenticator(credentialId);
    const { store, keys } = await deviceKey();
    const prfInput = randomBytes(32);
    const prfOutput = new Uint8Array(createHmac("sha256", auth.secret).update(prfInput).digest());
    await keys.setupPrf({ credentialId: toB64url(credentialId), rpId: "localhost", prfInput, prfOutput });
    expect([...prfOutput]).toEqual(new Array(32).fill(0)); // zeroed once used
    await store.meta.setSealed("profile", { name: "PC Sam Patel" });
    keys.lock();
    await keys.unlockWithPasskey();
    expect(await store.meta.getSealed("profile")).toEqual({ name: "PC Sam Patel" });
    const call = auth.calls[0] as PublicKeyCredentialRequestOptions;
    expect(call.rpId).toBe("localhost");
    expect(call.userVerification).toBe("required");
    expect((call.challenge as Uint8Array).length).toBe(32);
    expect(toB64url((call.allowCredentials?.[0]?.id as Uint8Array))).toBe(toB64url(credentialId));
    const config = (await store.meta.get<VaultConfig>(META.vault)) as VaultConfig;
    expect(config.method).toBe("prf");
    expect(config.salt).toHaveLength(32);
    expect(Buffer.from(config.prf?.input as Uint8Array).equals(Buffer.from(prfInput))).toBe(true);
    await store.wipe();
  });

  it("another passkey (other PRF secret) cannot unlock", async () => {
    const credentialId = randomBytes(16);
    const { store, keys } = await deviceKey();
    const prfInput = randomBytes(32);
    await keys.setupPrf({ credentialId: toB64url(credentialId), rpId: "localhost", prfInput, prfOutput: randomBytes(32) });
    keys.lock();
    fakeAuthenticator(credentialId);
    await expect(keys.unlockWithPasskey()).rejects.toBeInstanceOf(WrongKeyError);
    expect(keys.locked).toBe(true);
    await store.wipe();
  });

  it("destroy() deletes the wrapped key: nothing can be opened again", async () => {
    const { store, keys } = await deviceKey();
    await keys.setupPrf({ credentialId: "AAAA", rpId: "localhost", prfInput: randomBytes(32), prfOutput: randomBytes(32) });
    await keys.destroy();
    expect(await store.meta.get(META.vault)).toBeUndefined();
    expect(keys.configured).toBe(false);
    await store.wipe();
  });
});

describe("the PRF output never goes to the server", () => {
  it("is stripped from the credential JSON", () => {
    const json = { id: "x", clientExtensionResults: { credProps: { rk: true }, prf: { enabled: true, results: { first: "c2VjcmV0" } } } };
    expect(withoutPrfResults(json)).toEqual({ id: "x", clientExtensionResults: { credProps: { rk: true }, prf: { enabled: true } } });
    expect(withoutPrfResults({ id: "y" })).toEqual({ id: "y" });
    expect(fromB64url(toB64url(new Uint8Array([250, 251, 252])))).toEqual(new Uint8Array([250, 251, 252]));
  });
});
