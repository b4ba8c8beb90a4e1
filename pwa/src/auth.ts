/**
 * Passkeys only (docs/passkeys.md): enrolment with a collar number and one-time code, and
 * discoverable sign-in with no username. Options and credentials travel as WebAuthn JSON
 * (parse*OptionsFromJSON / toJSON), with a small fallback for browsers without them.
 */

import type { Api } from "./api";

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

function credentialJson(cred: PublicKeyCredential): Json {
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

/** Enrol this phone: one-time code check, passkey registration (PRF asked for), signed in. */
export async function enrol(api: Api, collar: string, code: string, label: string): Promise<EnrolResult> {
  const options = await api.post<Json>("/api/auth/enrol/options", { collar, code });
  const credential = (await navigator.credentials.create({ publicKey: creationOptions(options) })) as PublicKeyCredential | null;
  if (!credential) throw new Error("No passkey was created.");
  const json = credentialJson(credential);
  await api.post("/api/auth/enrol/verify", { credential: json, label });
  const prf = (json["clientExtensionResults"] as { prf?: { enabled?: boolean } } | undefined)?.prf;
  return { prfEnabled: prf?.enabled === true };
}

/** Sign in with the discoverable passkey (no username). */
export async function signIn(api: Api): Promise<void> {
  const options = await api.post<Json>("/api/auth/login/options", {});
  const credential = (await navigator.credentials.get({ publicKey: requestOptions(options), mediation: "optional" })) as PublicKeyCredential | null;
  if (!credential) throw new Error("No passkey was chosen.");
  await api.post("/api/auth/login/verify", { credential: credentialJson(credential) });
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
