import { describe, expect, it } from "vitest";

import { SyncClient } from "../../src/syncclient/client";
import { identityVault, Store } from "../../src/storage";
import { FakeServer } from "../helpers/fake-server";
import { ITEM, VISIT, freshStore } from "../helpers/store";

function client(store: Store, server: FakeServer, extra: Partial<ConstructorParameters<typeof SyncClient>[1]> = {}) {
  const timers: number[] = [];
  const c = new SyncClient(store, {
    fetch: server.fetch,
    random: () => 0.5,
    setTimer: (_fn, ms) => { timers.push(ms); return timers.length; },
    clearTimer: () => undefined,
    ...extra,
  });
  return { c, timers };
}

async function newVisit(store: Store) {
  await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft", "victim.name": "Ann Smith" } });
}

describe("sync client", () => {
  it("pushes gzip batches in seq order, pulls, and leaves nothing pending", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    await store.outbox.enqueue({ collection: "property_items", id: ITEM, visit_id: VISIT, fields: { visit_id: VISIT, category: "phone" } });
    const { c } = client(store, server);
    expect((await c.sync()).outcome).toBe("ok");
    const push = server.requests.find((r) => r.path === "/api/sync/push");
    expect(push?.headers["content-encoding"]).toBe("gzip");
    expect((push?.body as { mutations: { seq: number }[] }).mutations.map((m) => m.seq)).toEqual([1, 2]);
    expect(server.record("visits", VISIT)?.state.fields).toEqual({ status: "draft", "victim.name": "Ann Smith" });
    expect(await store.outbox.list()).toHaveLength(0);
    const rec = await store.records.get("visits", VISIT);
    expect(rec?.base_rev).toBe(1);
    expect(rec?.pending).toBe(0);
    expect((await store.counts()).waiting).toBe(0);
    expect(await store.meta.get("last_sync_at")).toBeTypeOf("string");
    expect((await store.meta.getSealed<{ officer: { display_name: string } }>("profile"))?.officer.display_name).toBe("PC Test");
  });

  it("splits a long queue into batches of at most 200", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    for (let i = 0; i < 450; i += 1) {
      await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": `n${i}` }, coalesce: false });
    }
    const { c } = client(store, server);
    expect((await c.sync()).outcome).toBe("ok");
    const sizes = server.requests.filter((r) => r.path === "/api/sync/push").map((r) => (r.body as { mutations: unknown[] }).mutations.length);
    expect(sizes).toEqual([200, 200, 50]);
    expect(server.record("visits", VISIT)?.state.fields["victim.name"]).toBe("n449");
  });

  it("a lost response is retried with the same mutations and applied once", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    server.faultPath = "/api/sync/push";
    server.faults.push({ kind: "lose_response" });
    const { c, timers } = client(store, server);
    expect((await c.sync()).outcome).toBe("offline");
    expect(timers.at(-1)).toBeGreaterThan(0);
    expect(server.record("visits", VISIT)?.state.rev).toBe(1);
    expect((await store.outbox.list())[0]?.state).toBe("queued");
    expect((await c.sync()).outcome).toBe("ok");
    const pushes = server.requests.filter((r) => r.path === "/api/sync/push");
    expect(pushes).toHaveLength(2);
    expect(JSON.stringify(pushes[1]?.body)).toBe(JSON.stringify(pushes[0]?.body));
    expect(server.record("visits", VISIT)?.state.rev).toBe(1);
    expect(await store.outbox.list()).toHaveLength(0);
  });

  it("a duplicated delivery changes nothing the second time", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    const { c } = client(store, server);
    await c.sync();
    const push = server.requests.find((r) => r.path === "/api/sync/push");
    const again = await server.fetch("/api/sync/push", { method: "POST", body: JSON.stringify(push?.body), headers: { "Content-Type": "application/json" } });
    const answer = (await again.json()) as { last_seq: number; results: { status: string; rev: number }[] };
    expect(answer.last_seq).toBe(1);
    expect(answer.results[0]).toMatchObject({ status: "applied", rev: 1 });
    expect(server.record("visits", VISIT)?.state.rev).toBe(1);
  });

  it("keeps rejected mutations and goes on with the queue behind them", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "address.postcode": "XX" }, coalesce: false });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.phone": "07700 900123" }, coalesce: false });
    const { c } = client(store, server);
    expect((await c.sync()).outcome).toBe("ok");
    const left = await store.outbox.list();
    expect(left.map((e) => [e.seq, e.state, e.result?.error?.code])).toEqual([[2, "rejected", "validation_failed"]]);
    expect(server.record("visits", VISIT)?.state.fields["victim.phone"]).toBe("07700 900123");
    expect((await store.records.get("visits", VISIT))?.fields["address.postcode"]).toBeUndefined();
  });

  it("seq_gap: resends from the expected seq when it still holds those mutations", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.phone": "0123 456789" }, coalesce: false });
    // Both pushed and acknowledged, but the pull has not happened (response lost after push).
    const { c } = client(store, server);
    await c.pushAll();
    expect((await store.outbox.list()).map((e) => e.state)).toEqual(["accepted", "accepted"]);
    // The server restores a backup and forgets seq 2; the phone queues seq 3.
    server.forgetAfter(await store.meta.clientId(), 1);
    server.records.get(`visits/${VISIT}`)!.state = { ...server.records.get(`visits/${VISIT}`)!.state };
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.email": "a@b.co" }, coalesce: false });
    expect((await c.sync()).outcome).toBe("ok");
    const pushes = server.requests.filter((r) => r.path === "/api/sync/push").map((r) => (r.body as { mutations: { seq: number }[] }).mutations.map((m) => m.seq));
    expect(pushes).toEqual([[1, 2], [3], [2, 3]]);
    expect(await store.outbox.list()).toHaveLength(0);
    expect(server.clients.get(await store.meta.clientId())?.lastSeq).toBe(3);
  });

  it("seq_gap with the mutations gone: stops, keeps everything, and recovers under a new client_id", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    const { c } = client(store, server);
    await c.sync(); // seq 1 acknowledged and reflected: gone from the outbox
    const oldClient = await store.meta.clientId();
    server.forgetAfter(oldClient, 0);
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.phone": "0123 456789" } });
    expect((await c.sync()).outcome).toBe("broken");
    expect(c.status.seqBroken).toBe(true);
    expect((await store.outbox.list()).map((e) => [e.seq, e.state])).toEqual([[2, "queued"]]);
    expect((await c.sync()).outcome).toBe("broken"); // stays stopped until recovery

    await c.recoverSequence();
    expect(await store.meta.clientId()).not.toBe(oldClient);
    expect((await store.outbox.list()).map((e) => [e.seq, e.state])).toEqual([[1, "queued"]]);
    expect((await c.sync(true)).outcome).toBe("ok");
    expect(server.record("visits", VISIT)?.state.fields["victim.phone"]).toBe("0123 456789");
  });

  it("seq_reused stops pushing and keeps everything", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    const { c } = client(store, server);
    await c.pushAll();
    // Someone else's seq 1 under our client_id (a cloned install): the server has other content.
    const cid = await store.meta.clientId();
    server.clients.get(cid)!.stored.set(1, { digest: "0".repeat(64), result: {} });
    await store.outbox.resendFrom(1);
    expect((await c.sync()).outcome).toBe("broken");
    expect(await store.outbox.list()).toHaveLength(1);
  });

  it("401 session_expired keeps the outbox and the records, then carries on after sign-in", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    server.faults.push({ kind: "status", status: 401, code: "session_expired" });
    let revoked = false;
    const { c } = client(store, server, { onRevoked: () => { revoked = true; } });
    expect((await c.sync()).outcome).toBe("signin");
    expect(revoked).toBe(false);
    expect(c.status.signinNeeded).toBe(true);
    expect(await store.meta.get("signin_needed")).toBe(true);
    expect(await store.outbox.list()).toHaveLength(1);
    expect((await store.records.get("visits", VISIT))?.fields["victim.name"]).toBe("Ann Smith");
    // The officer signs in again; sync goes on and nothing was lost.
    await c.signedIn();
    expect((await c.sync(true)).outcome).toBe("ok");
    expect(server.record("visits", VISIT)?.state.fields["victim.name"]).toBe("Ann Smith");
    expect(c.status.signinNeeded).toBe(false);
  });

  it("401 session_expired in the middle of a push loses nothing", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    server.faultPath = "/api/sync/push";
    server.faults.push({ kind: "status", status: 401, code: "session_expired" });
    const { c } = client(store, server);
    expect((await c.sync()).outcome).toBe("signin");
    expect((await store.outbox.list())[0]).toMatchObject({ seq: 1, state: "queued", sent: true });
    expect((await c.sync(true)).outcome).toBe("ok");
    expect(await store.outbox.list()).toHaveLength(0);
  });

  it("401 device_revoked wipes the device and reports it", async () => {
    const name = `revoked-${Math.random()}`;
    const store = await Store.open(name, identityVault);
    const server = new FakeServer();
    await newVisit(store);
    server.faults.push({ kind: "status", status: 401, code: "device_revoked", headers: { "Clear-Site-Data": '"cache", "cookies", "storage"' } });
    let revoked = false;
    const { c } = client(store, server, { onRevoked: () => { revoked = true; } });
    expect((await c.sync()).outcome).toBe("revoked");
    expect(revoked).toBe(true);
    const reopened = await Store.open(name, identityVault);
    expect(await reopened.outbox.list()).toHaveLength(0);
    expect(await reopened.records.get("visits", VISIT)).toBeUndefined();
    expect(await reopened.meta.getSealed("profile")).toBeUndefined();
  });

  it("503 with Retry-After waits at least that long (with jitter), then succeeds", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    server.faultPath = "/api/sync/push";
    server.faults.push({ kind: "status", status: 503, code: "unavailable", retryAfter: "30" });
    const { c, timers } = client(store, server, { random: () => 0.9 });
    const r = await c.sync();
    expect(r.outcome).toBe("retry");
    expect(r.delayMs).toBeGreaterThanOrEqual(30_000);
    expect(r.delayMs).toBeLessThanOrEqual(45_000);
    expect(timers.at(-1)).toBe(r.delayMs);
    expect((await c.sync()).outcome).toBe("ok");
  });

  it("backs off exponentially with jitter while offline", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    const { c } = client(store, server, { random: () => 1 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      server.faults.push({ kind: "network_down" });
      const r = await c.sync();
      expect(r.outcome).toBe("offline");
      delays.push(r.delayMs as number);
    }
    expect(delays).toEqual([2000, 4000, 8000, 16000]);
    expect(c.status.online).toBe(false);
    expect((await c.sync(true)).outcome).toBe("ok");
  });

  it("rebases pending edits on pulled records and surfaces conflicts", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    const { c } = client(store, server);
    await c.sync();
    // A supervisor returns the visit with a note while the officer edits offline.
    server.serverEdit("visits", VISIT, { status: "returned", "review.note": "Add the CSI reference", "victim.name": "Ann Smyth" });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "enquiry.csi_reference": "CSI/1" } });
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann Smithe" } });
    // Pull only: the view is the pulled record with the pending edits on top.
    await c.pullAll();
    let view = await store.records.get("visits", VISIT);
    expect(view?.fields).toMatchObject({ status: "returned", "review.note": "Add the CSI reference", "enquiry.csi_reference": "CSI/1", "victim.name": "Ann Smithe" });
    expect(view?.base_rev).toBe(2);
    expect(view?.pending).toBe(1);
    // The queued edit keeps its original base_rev (1); the server merges it (conflict on the name).
    expect((await store.outbox.list())[0]?.base_rev).toBe(1);
    await c.sync();
    view = await store.records.get("visits", VISIT);
    expect(view?.fields["victim.name"]).toBe("Ann Smithe");
    expect(view?.conflicts.map((x) => [x.field, x.value])).toEqual([["victim.name", "Ann Smyth"]]);
    // The officer keeps the supervisor's spelling: a resolution with the chosen value.
    await store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { "victim.name": "Ann Smyth" }, resolve: ["victim.name"] });
    expect((await store.records.get("visits", VISIT))?.conflicts).toEqual([]);
    await c.sync();
    expect(server.record("visits", VISIT)?.state.conflicts).toEqual([]);
    expect(server.record("visits", VISIT)?.state.fields["victim.name"]).toBe("Ann Smyth");
  });

  it("drops a bad cursor and pulls from the start", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    const { c } = client(store, server);
    await c.sync();
    await store.meta.set("cursor", "garbage!");
    expect((await c.sync()).outcome).toBe("ok");
    const pulls = server.requests.filter((r) => r.path === "/api/sync/pull").map((r) => (r.body as { cursor: string | null }).cursor);
    expect(pulls.slice(-2)).toEqual(["garbage!", null]);
  });

  it("pulls everything again from the start when a purged visit was reopened, and only then", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    const { c } = client(store, server);
    await c.sync();
    const pulls = () => server.requests.filter((r) => r.path === "/api/sync/pull").map((r) => (r.body as { cursor: string | null }).cursor);
    const before = pulls().length;
    expect(await c.repullIfAsked()).toBe(false);
    expect(pulls()).toHaveLength(before);
    await store.meta.set("repull", true);
    expect(await c.repullIfAsked()).toBe(true);
    expect(pulls().slice(before)).toEqual([null]);
    expect(await store.meta.get("repull")).toBe(false);
    expect(await c.repullIfAsked()).toBe(false);
  });

  it("follows has_more across pages and removes tombstoned records", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await newVisit(store);
    await store.outbox.enqueue({ collection: "property_items", id: ITEM, visit_id: VISIT, fields: { visit_id: VISIT, category: "phone" } });
    const { c } = client(store, server);
    await c.sync();
    expect((await store.records.ofVisit(VISIT)).map((r) => r.collection).sort()).toEqual(["property_items", "visits"]);
    await store.outbox.enqueue({ collection: "property_items", id: ITEM, visit_id: VISIT, op: "delete" });
    await c.sync();
    expect(server.record("property_items", ITEM)?.state.deleted).toBe(true);
    expect((await store.records.ofVisit(VISIT)).map((r) => r.collection)).toEqual(["visits"]);
  });
});

describe("sync client on a shared phone", () => {
  it("test_another_officers_session_never_sends_or_overwrites_this_officers_work", async () => {
    const store = await freshStore();
    const server = new FakeServer();
    await store.meta.set("owner", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"); // officer A's data
    await newVisit(store);
    // The session is officer B's (server.profile), who signed in on A's phone.
    const { c } = client(store, server);
    expect((await c.sync()).outcome).toBe("signin");
    expect(server.requests.map((r) => r.path)).toEqual(["/api/me"]);
    expect(server.record("visits", VISIT)).toBeUndefined();
    expect((await store.counts()).waiting).toBe(1);
    expect(await store.meta.getSealed("profile")).toBeUndefined();
    expect(c.status.signinNeeded).toBe(true);
  });
});
