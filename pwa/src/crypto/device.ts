/**
 * This phone's key: set up once (PRF, PIN or "online only"), unlocked into memory, locked out of
 * it. The vault (db/vault.ts) seals with whatever key is in memory; this class decides how
 * that key gets there. Nothing here talks to the server.
 */

import { evaluatePrf, type KeyMaterial } from "../auth";
import { META, type Meta } from "../db/meta";
import type { AesGcmVault } from "../db/vault";
import { randomBytes } from "./bytes";
import { ARGON2_PARAMS, kekFromPin, kekFromPrf, pinProblem, type Argon2Params } from "./kdf";
import { ephemeralDataKey, newDataKey, rewrapDataKey, unwrapDataKey, WrongKeyError, type VaultConfig, type VaultMethod } from "./keys";

/** PIN attempts allowed before each further attempt has to wait (doubling from 30 s). */
export const FREE_PIN_ATTEMPTS = 5;

export interface PinFailures {
  count: number;
  last_at: number;
}

/** How long the next PIN attempt must wait after `count` failures (ms). */
export function pinDelayMs(count: number): number {
  if (count < FREE_PIN_ATTEMPTS) return 0;
  return Math.min(60 * 60_000, 30_000 * 2 ** (count - FREE_PIN_ATTEMPTS));
}

export class PinWaitError extends Error {
  constructor(readonly waitMs: number) {
    super(`Too many wrong attempts. Try again in ${Math.ceil(waitMs / 1000)} seconds.`);
    this.name = "PinWaitError";
  }
}

export class DeviceKey {
  config: VaultConfig | null = null;
  /**
   * Unlocked with a PIN the policy no longer accepts (a phone set up when 6 digits were enough):
   * the KEK it gave, kept in memory only until the data key is re-wrapped under a new passphrase
   * or the app locks.
   */
  private weakPinKek: CryptoKey | null = null;

  constructor(
    private readonly meta: Meta,
    readonly vault: AesGcmVault,
    private readonly argon2: Argon2Params = ARGON2_PARAMS,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    this.config = (await this.meta.get<VaultConfig>(META.vault)) ?? null;
  }

  get configured(): boolean {
    return this.config !== null;
  }

  get method(): VaultMethod | null {
    return this.config?.method ?? null;
  }

  get locked(): boolean {
    return this.config !== null && !this.vault.unlocked;
  }

  /** Unlocked with a PIN too short for today's policy: a new passphrase must be chosen now. */
  get pinChangeRequired(): boolean {
    return this.weakPinKek !== null && this.vault.unlocked;
  }

  private async save(config: VaultConfig, key: CryptoKey): Promise<void> {
    await this.meta.set(META.vault, config);
    this.config = config;
    this.vault.setKey(key);
  }

  /** First key of a phone whose passkey has PRF: DK wrapped under HKDF(PRF output). */
  async setupPrf(m: KeyMaterial): Promise<void> {
    if (!m.prfOutput) throw new Error("This passkey has no PRF.");
    const salt = randomBytes(32);
    const kek = await kekFromPrf(m.prfOutput, salt);
    m.prfOutput.fill(0);
    const { key, wrapped } = await newDataKey(kek);
    await this.save(
      {
        v: 1, method: "prf", created_at: new Date(this.now()).toISOString(), salt, wrapped,
        prf: { credential_id: m.credentialId, rp_id: m.rpId, input: m.prfInput }, argon2: null,
      },
      key,
    );
  }

  /** First key of a phone without PRF, where the force allows it: DK under Argon2id(passphrase). */
  async setupPin(pin: string): Promise<void> {
    const problem = pinProblem(pin);
    if (problem) throw new Error(problem);
    const salt = randomBytes(16);
    const kek = await kekFromPin(pin, salt, this.argon2);
    const { key, wrapped } = await newDataKey(kek);
    await this.save(
      { v: 1, method: "pin", created_at: new Date(this.now()).toISOString(), salt, wrapped, prf: null, argon2: { ...this.argon2 } },
      key,
    );
  }

  /** "Online only": a key never stored anywhere, so nothing written survives the page. */
  async setupEphemeral(): Promise<void> {
    await this.save(
      { v: 1, method: "ephemeral", created_at: new Date(this.now()).toISOString(), salt: new Uint8Array(0), wrapped: null, prf: null, argon2: null },
      await ephemeralDataKey(),
    );
  }

  /** Unlock with the passkey: a local assertion with PRF (works offline). */
  async unlockWithPasskey(): Promise<void> {
    const c = this.config;
    if (!c || c.method !== "prf" || !c.prf || !c.wrapped) throw new Error("This phone is not set up to unlock with a passkey.");
    const output = await evaluatePrf(c.prf.credential_id, c.prf.rp_id, c.prf.input);
    const kek = await kekFromPrf(output, c.salt);
    output.fill(0);
    this.vault.setKey(await unwrapDataKey(c.wrapped, kek));
  }

  /** Unlock with the PRF output of a sign-in that just happened (same passkey), if any. */
  async unlockWithMaterial(m: KeyMaterial | null): Promise<boolean> {
    const c = this.config;
    if (!m?.prfOutput || !c || c.method !== "prf" || !c.prf || !c.wrapped) return false;
    if (m.credentialId !== c.prf.credential_id || !sameBytes(m.prfInput, c.prf.input)) return false;
    try {
      const kek = await kekFromPrf(m.prfOutput, c.salt);
      this.vault.setKey(await unwrapDataKey(c.wrapped, kek));
      return true;
    } catch {
      return false;
    } finally {
      m.prfOutput.fill(0);
    }
  }

  /** Time before the next PIN attempt is allowed (0: now). */
  async pinWaitMs(): Promise<number> {
    const f = await this.meta.get<PinFailures>(META.pinFailures);
    if (!f) return 0;
    return Math.max(0, f.last_at + pinDelayMs(f.count) - this.now());
  }

  /** Unlock with the device PIN (WrongKeyError on a wrong PIN; waits grow after 5). */
  async unlockWithPin(pin: string): Promise<void> {
    const c = this.config;
    if (!c || c.method !== "pin" || !c.wrapped || !c.argon2) throw new Error("This phone is not set up with a PIN.");
    const wait = await this.pinWaitMs();
    if (wait > 0) throw new PinWaitError(wait);
    const kek = await kekFromPin(pin, c.salt, c.argon2);
    try {
      this.vault.setKey(await unwrapDataKey(c.wrapped, kek));
    } catch (exc) {
      if (exc instanceof WrongKeyError) {
        const f = (await this.meta.get<PinFailures>(META.pinFailures)) ?? { count: 0, last_at: 0 };
        await this.meta.set(META.pinFailures, { count: f.count + 1, last_at: this.now() });
        throw new WrongKeyError("Wrong passphrase.");
      }
      throw exc;
    }
    this.weakPinKek = pinProblem(pin) === null ? null : kek;
    await this.meta.set(META.pinFailures, { count: 0, last_at: 0 });
  }

  /**
   * Re-wrap the data key under a new passphrase, after an unlock with a PIN the policy no longer
   * accepts (new salt, today's Argon2 parameters). The data is not re-encrypted: same data key.
   */
  async changePin(pin: string): Promise<void> {
    const c = this.config;
    const oldKek = this.weakPinKek;
    if (!c || c.method !== "pin" || !c.wrapped || !oldKek || !this.vault.unlocked) throw new Error("Unlock with the current PIN first.");
    const problem = pinProblem(pin);
    if (problem) throw new Error(problem);
    const salt = randomBytes(16);
    const wrapped = await rewrapDataKey(c.wrapped, oldKek, await kekFromPin(pin, salt, this.argon2));
    const config: VaultConfig = { ...c, salt, wrapped, argon2: { ...this.argon2 } };
    await this.meta.set(META.vault, config);
    this.config = config;
    this.weakPinKek = null;
  }

  /** Forget the key (memory only: the wrapped key stays for the next unlock). */
  lock(): void {
    this.weakPinKek = null;
    this.vault.lock();
  }

  /** Forget the key and delete the wrapped key: nothing on the phone can be opened again. */
  async destroy(): Promise<void> {
    this.weakPinKek = null;
    this.vault.lock();
    this.config = null;
    await this.meta.delete(META.vault);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
