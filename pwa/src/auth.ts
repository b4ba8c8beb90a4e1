/**
 * Passkeys only (docs/passkeys.md): enrolment with a collar number and one-time code, and
 * discoverable sign-in with no username. Options and credentials travel as WebAuthn JSON
 * (parse*OptionsFromJSON / toJSON), with a small fallback for browsers without them.
 *
 * The PRF extension (docs/device-security.md) is evaluated at enrolment (Chrome answers at
 * create; otherwise one local assertion follows) and at every unlock, on a per-device random
 * input. Its output is the secret the phone's data key is derived from: it is NEVER sent to the
 * server (stripped from the credential JSON before any verify call).
 */

import type { Api } from "./api";
import { bytesOf, fromB64url, randomBytes, toB64url } from "./crypto/bytes";

type Json = Record<string, unknown>;

function b64urlToBuffer(value: string): ArrayBuffer {
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(value.length / 4) * 4, "=");
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function bufferToB64url(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface PKCStatic {
  parseCreationOptionsFromJSON?: (o: Json) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (o: Json) => PublicKeyCredentialRequestOptions;
}

function pkc(): PKCStatic | null {
  return typeof PublicKeyCredential === "undefined" ? null : (PublicKeyCredential as unknown as PKCStatic);
}

export function passkeysSupported(): boolean {
  return pkc() !== null && typeof navigator !== "undefined" && !!navigator.credentials;
}

function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const parse = pkc()?.parseCreationOptionsFromJSON;
  if (parse) return parse(json);
  const user = json["user"] as Json;
  return {
    ...(json as object),
    challenge: b64urlToBuffer(json["challenge"] as string),
    user: { ...(user as object), id: b64urlToBuffer(user["id"] as string) },
    excludeCredentials: ((json["excludeCredentials"] as Json[] | undefined) ?? []).map((c) => ({ ...(c as object), id: b64urlToBuffer(c["id"] as string) })),
  } as unknown as PublicKeyCredentialCreationOptions;
}

function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const parse = pkc()?.parseRequestOptionsFromJSON;
  if (parse) return parse(json);
  return {
    ...(json as object),
    challenge: b64urlToBuffer(json["challenge"] as string),
    allowCredentials: ((json["allowCredentials"] as Json[] | undefined) ?? []).map((c) => ({ ...(c as object), id: b64urlToBuffer(c["id"] as string) })),
  } as unknown as PublicKeyCredentialRequestOptions;
}

/** The credential as JSON for the server, with any PRF output removed (it is the phone's secret). */
export function credentialJson(cred: PublicKeyCredential): Json {
  return withoutPrfResults(rawCredentialJson(cred));
}

export function withoutPrfResults(json: Json): Json {
  const ext = json["clientExtensionResults"] as Json | undefined;
  const prf = ext?.["prf"] as Json | undefined;
  if (!ext || !prf || !("results" in prf)) return json;
  const { results: _results, ...rest } = prf;
  return { ...json, clientExtensionResults: { ...ext, prf: rest } };
}

function rawCredentialJson(cred: PublicKeyCredential): Json {
  const withJson = cred as PublicKeyCredential & { toJSON?: () => Json };
  if (typeof withJson.toJSON === "function") return withJson.toJSON();
  const r = cred.response as AuthenticatorResponse & {
    attestationObject?: ArrayBuffer;
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
    getTransports?: () => string[];
  };
  const response: Json = { clientDataJSON: bufferToB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response["attestationObject"] = bufferToB64url(r.attestationObject);
    response["transports"] = r.getTransports ? r.getTransports() : [];
  }
  if (r.authenticatorData) response["authenticatorData"] = bufferToB64url(r.authenticatorData);
  if (r.signature) response["signature"] = bufferToB64url(r.signature);
  if (r.userHandle) response["userHandle"] = bufferToB64url(r.userHandle);
  return {
    id: cred.id,
    rawId: bufferToB64url(cred.rawId),
    type: cred.type,
    response,
    authenticatorAttachment: (cred as PublicKeyCredential & { authenticatorAttachment?: string | null }).authenticatorAttachment ?? null,
    clientExtensionResults: cred.getClientExtensionResults() as Json,
  };
}

export interface EnrolResult {
  prfEnabled: boolean;
}

/** What a ceremony learnt for the device key: which passkey, and its PRF output if it has one. */
export interface KeyMaterial {
  credentialId: string;
  rpId: string;
  prfInput: Uint8Array<ArrayBuffer>;
  prfOutput: Uint8Array<ArrayBuffer> | null;
}

let pending: KeyMaterial | null = null;

/** The key material of the last enrolment or sign-in, handed over once (then forgotten). */
export function takeKeyMaterial(): KeyMaterial | null {
  const m = pending;
  pending = null;
  return m;
}

/** Forget key material nobody took (zeroing the PRF output). */
export function discardKeyMaterial(): void {
  pending?.prfOutput?.fill(0);
  pending = null;
}

type PrfResults = { enabled?: boolean; results?: { first?: ArrayBuffer | ArrayBufferView } };

function prfOutputOf(cred: PublicKeyCredential): Uint8Array<ArrayBuffer> | null {
  const prf = (cred.getClientExtensionResults() as { prf?: PrfResults }).prf;
  const first = prf?.results?.first;
  return first ? bytesOf(first) : null;
}

function withPrfEval<T extends PublicKeyCredentialCreationOptions | PublicKeyCredentialRequestOptions>(options: T, input: Uint8Array<ArrayBuffer>): T {
  const extensions = { ...((options.extensions ?? {}) as Record<string, unknown>), prf: { eval: { first: input } } };
  return { ...options, extensions } as T;
}

function rpIdOf(options: Json, fallback: string): string {
  const rp = options["rp"] as Json | undefined;
  const id = (rp?.["id"] ?? options["rpId"]) as string | undefined;
  return typeof id === "string" && id ? id : fallback;
}

/**
 * Evaluate the PRF of this phone's passkey on `input`: a local assertion (random challenge,
 * nothing sent anywhere), so it works with no signal. Throws when the passkey gives no PRF.
 */
export async function evaluatePrf(credentialId: string, rpId: string, input: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const credential = (await navigator.credentials.get({
    publicKey: {
      challenge: randomBytes(32),
      rpId,
      allowCredentials: [{ type: "public-key", id: fromB64url(credentialId) }],
      userVerification: "required",
      timeout: 120_000,
      extensions: { prf: { eval: { first: input } } } as AuthenticationExtensionsClientInputs,
    },
  })) as PublicKeyCredential | null;
  if (!credential) throw new Error("No passkey was chosen.");
  const out = prfOutputOf(credential);
  if (!out) throw new Error("This passkey cannot unlock the app (it has no PRF).");
  return out;
}

/** Enrol this phone: one-time code check, passkey registration (PRF evaluated), signed in. */
export async function enrol(api: Api, collar: string, code: string, label: string): Promise<EnrolResult> {
  discardKeyMaterial();
  const options = await api.post<Json>("/api/auth/enrol/options", { collar, code });
  const prfInput = randomBytes(32);
  const publicKey = withPrfEval(creationOptions(options), prfInput);
  const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  if (!credential) throw new Error("No passkey was created.");
  const json = credentialJson(credential);
  await api.post("/api/auth/enrol/verify", { credential: json, label });
  const prf = (json["clientExtensionResults"] as { prf?: { enabled?: boolean } } | undefined)?.prf;
  const credentialId = toB64url(credential.rawId);
  const rpId = rpIdOf(options, location.hostname);
  let prfOutput = prfOutputOf(credential);
  if (!prfOutput && prf?.enabled === true) {
    // PRF exists but was not evaluated at create (most browsers): one local assertion.
    prfOutput = await evaluatePrf(credentialId, rpId, prfInput).catch(() => null);
  }
  pending = { credentialId, rpId, prfInput, prfOutput };
  return { prfEnabled: prf?.enabled === true || prfOutput !== null };
}

/**
 * Sign in with the discoverable passkey (no username). The PRF is evaluated too (on
 * `prfInput`, or a fresh one for a phone that has no key yet), for the device key.
 */
export async function signIn(api: Api, prfInput: Uint8Array<ArrayBuffer> = randomBytes(32)): Promise<void> {
  discardKeyMaterial();
  const options = await api.post<Json>("/api/auth/login/options", {});
  const publicKey = withPrfEval(requestOptions(options), prfInput);
  const credential = (await navigator.credentials.get({ publicKey, mediation: "optional" })) as PublicKeyCredential | null;
  if (!credential) throw new Error("No passkey was chosen.");
  await api.post("/api/auth/login/verify", { credential: credentialJson(credential) });
  pending = { credentialId: toB64url(credential.rawId), rpId: rpIdOf(options, location.hostname), prfInput, prfOutput: prfOutputOf(credential) };
}

/** A message for the officer from a failed ceremony. */
export function ceremonyMessage(exc: unknown): string {
  if (exc instanceof DOMException) {
    if (exc.name === "NotAllowedError") return "The passkey request was cancelled or timed out. Try again.";
    if (exc.name === "InvalidStateError") return "This phone already has a passkey for this account. Use “Sign in with passkey”.";
    return `The passkey could not be used (${exc.name}).`;
  }
  return exc instanceof Error ? exc.message : String(exc);
}
