/**
 * An in-memory server with the push/pull semantics of PROTOCOL.md, built from the same sync
 * engine, behind a fake `fetch`. Fault injection: lose the next response after applying it,
 * deliver a request twice, answer 503 with Retry-After, 401 session_expired / device_revoked,
 * forget acknowledged seqs (seq_gap), and supervisor edits arriving between syncs.
 */

import { gunzipSync } from "node:zlib";

import {
  SyncError,
  applyMutation,
  checkBatch,
  checkReplay,
  encodeCursor,
  httpStatus,
  parseMutation,
  parsePull,
  parsePush,
  type RecordState,
} from "../../src/sync";

interface ServerRecord {
  collection: string;
  id: string;
  state: RecordState;
  version: number;
}

interface ClientState {
  lastSeq: number;
  stored: Map<number, { digest: string; result: unknown }>;
}

type Fault =
  | { kind: "lose_response" }
  | { kind: "network_down" }
  | { kind: "status"; status: number; code: string; retryAfter?: string; headers?: Record<string, string> };

export interface Profile {
  officer: Record<string, unknown>;
  team: Record<string, unknown>;
  device: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export class FakeServer {
  records = new Map<string, ServerRecord>();
  clients = new Map<string, ClientState>();
  version = 0;
  faults: Fault[] = [];
  /** Faults that apply only to requests whose path starts with this. */
  faultPath: string | null = null;
  requests: { path: string; body: unknown; headers: Record<string, string> }[] = [];
  /** Reject puts whose field matches (server-side validation). */
  validate: (fields: Record<string, unknown>) => SyncError | null = (fields) => {
    const postcode = fields["address.postcode"];
    if (typeof postcode === "string" && !/^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/.test(postcode)) {
      return new SyncError("validation_failed", "not a valid UK postcode", { field: "address.postcode" });
    }
    return null;
  };

  profile: Profile = {
    officer: { id: "11111111-1111-4111-8111-111111111111", collar_number: "1234", display_name: "PC Test", role: "officer", team_id: 1, contact_phone: "101", contact_email: "pc@example.police.uk" },
    team: { id: 1, code: "T1", name: "Team 1", area_id: 1, area_name: "Area 1" },
    device: { id: "22222222-2222-4222-8222-222222222222", label: "phone", prf_enabled: false },
    settings: { force_name: "Test Police", crime_reference_pattern: "[A-Z0-9][A-Z0-9/\\-]{3,29}", attendance_target_seconds: 86400, officers_see_team_visits: false },
  };

  /** A change made on the server (a supervisor's review, say), as its own revision. */
  serverEdit(collection: string, id: string, fields: Record<string, unknown>, author = "user:9"): void {
    const key = `${collection}/${id}`;
    const rec = this.records.get(key);
    if (!rec) throw new Error(`no record ${key}`);
    const newRev = rec.state.rev + 1;
    const fieldRevs = { ...rec.state.field_revs };
    const authors = { ...rec.state.field_authors };
    for (const k of Object.keys(fields)) {
      fieldRevs[k] = newRev;
      authors[k] = author;
    }
    rec.state = { ...rec.state, rev: newRev, fields: { ...rec.state.fields, ...(fields as object) } as never, field_revs: fieldRevs, field_authors: authors };
    rec.version = ++this.version;
  }

  /** The server loses its memory of a client's acknowledged seqs after `keep` (restored backup). */
  forgetAfter(clientId: string, keep: number): void {
    const c = this.clients.get(clientId);
    if (!c) return;
    c.lastSeq = keep;
    for (const seq of [...c.stored.keys()]) if (seq > keep) c.stored.delete(seq);
  }

  record(collection: string, id: string): ServerRecord | undefined {
    return this.records.get(`${collection}/${id}`);
  }

  fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const path = new URL(input, "http://localhost").pathname;
    const headers = Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    let body: unknown = undefined;
    if (init.body !== undefined && init.body !== null) {
      const raw = init.body instanceof Uint8Array ? init.body : new TextEncoder().encode(String(init.body));
      const text = headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : new TextDecoder().decode(raw);
      body = JSON.parse(text);
    }
    this.requests.push({ path, body, headers });
    const applies = this.faultPath === null || path.startsWith(this.faultPath);
    const fault = applies ? this.faults.shift() : undefined;
    if (fault?.kind === "network_down") throw new TypeError("Failed to fetch");
    if (fault?.kind === "status") {
      const h: Record<string, string> = { "Content-Type": "application/json", ...(fault.headers ?? {}) };
      if (fault.retryAfter) h["Retry-After"] = fault.retryAfter;
      return new Response(JSON.stringify({ error: { code: fault.code, message: fault.code, details: {} } }), { status: fault.status, headers: h });
    }
    const answer = await this.handle(path, body);
    if (fault?.kind === "lose_response") throw new TypeError("connection reset after the server applied it");
    return answer;
  };

  private json(status: number, value: unknown): Response {
    return new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json" } });
  }

  private async handle(path: string, body: unknown): Promise<Response> {
    try {
      if (path === "/api/me") return this.json(200, this.profile);
      if (path === "/api/advice") return this.json(200, { version: "v1", items: [{ id: "wide-window-locks", version: 1, category: "Doors and windows", title: "Fit key-operated window locks", body: "...", tags: ["wide"] }] });
      if (path === "/api/sync/push") return this.json(200, await this.push(body));
      if (path === "/api/sync/pull") return this.json(200, this.pull(body));
      return this.json(404, { error: { code: "not_found", message: "No such route", details: {} } });
    } catch (exc) {
      if (exc instanceof SyncError) return this.json(httpStatus(exc.code), { error: { code: exc.code, message: exc.message, details: exc.details } });
      throw exc;
    }
  }

  private async push(body: unknown): Promise<unknown> {
    const req = await parsePush(body, JSON.stringify(body).length);
    const client = this.clients.get(req.client_id) ?? { lastSeq: 0, stored: new Map() };
    const plan = checkBatch(client.lastSeq, req.entries.map((e) => e.seq));
    const results: unknown[] = [];
    // Check every replay before applying anything (all or nothing).
    for (const e of req.entries) {
      const stored = client.stored.get(e.seq);
      if (stored) checkReplay(e.seq, stored.digest, e.digest);
    }
    for (const e of req.entries) {
      const stored = client.stored.get(e.seq);
      if (stored) {
        results.push(stored.result);
        continue;
      }
      let result: unknown;
      try {
        const m = parseMutation(e.raw, e.index);
        const key = `${m.collection}/${m.id}`;
        const rec = this.records.get(key);
        const invalid = m.op === "put" ? this.validate(m.fields as Record<string, unknown>) : null;
        if (invalid) throw invalid;
        const outcome = applyMutation(rec ? rec.state : null, m, (rec ? rec.state.rev : 0) + 1, req.client_id);
        if (outcome.change) {
          this.records.set(key, { collection: m.collection, id: m.id, state: outcome.state, version: ++this.version });
        }
        result = { seq: e.seq, status: outcome.status, rev: outcome.rev, error: null };
      } catch (exc) {
        if (!(exc instanceof SyncError)) throw exc;
        result = { seq: e.seq, status: "rejected", rev: null, error: exc.toJSON() };
      }
      client.stored.set(e.seq, { digest: e.digest, result });
      results.push(result);
    }
    client.lastSeq = plan.last_seq;
    this.clients.set(req.client_id, client);
    return { last_seq: client.lastSeq, results };
  }

  private pull(body: unknown): unknown {
    const req = parsePull(body);
    const rows = [...this.records.values()].filter((r) => r.version > req.after_version).sort((a, b) => a.version - b.version);
    const page = rows.slice(0, req.limit);
    const last = page.length > 0 ? (page[page.length - 1] as ServerRecord).version : req.after_version;
    return {
      cursor: encodeCursor(last),
      has_more: rows.length > page.length,
      last_seq: this.clients.get(req.client_id)?.lastSeq ?? 0,
      changes: page.map((r) => ({
        collection: r.collection,
        id: r.id,
        rev: r.state.rev,
        deleted: r.state.deleted,
        record: r.state.deleted ? null : r.state.fields,
        conflicts: r.state.deleted ? [] : r.state.conflicts,
        ...(r.state.deleted ? { reason: "deleted" } : {}),
      })),
    };
  }
}
