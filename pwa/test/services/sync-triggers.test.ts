import { describe, expect, it } from "vitest";

import type { Profile } from "../../src/model/types";
import { AppServices } from "../../src/services/app-services";
import { FakeServer } from "../helpers/fake-server";
import { VISIT, freshStore } from "../helpers/store";

async function services(server: FakeServer): Promise<AppServices> {
  const app = new AppServices(await freshStore(), server.fetch as typeof fetch);
  await app.load();
  return app;
}

const paths = (server: FakeServer) => server.requests.map((r) => r.path);

describe("SyncTriggers.syncNow", () => {
  it("does nothing on a phone nobody has signed in on", async () => {
    const server = new FakeServer();
    const app = await services(server);
    await app.triggers.syncNow(true);
    expect(server.requests).toEqual([]);
  });

  it("saves what is being typed, syncs, and tells the views", async () => {
    const server = new FakeServer();
    const app = await services(server);
    app.session.profile = server.profile as unknown as Profile;
    app.flushers.add(() => app.store.outbox.enqueue({ collection: "visits", id: VISIT, visit_id: VISIT, fields: { status: "draft" } }).then(() => undefined));
    const before = app.version;
    await app.triggers.syncNow(true);
    app.syncClient.stop();
    // Then the leave-behind texts, once, as this phone has none kept yet.
    expect(paths(server)).toEqual(["/api/me", "/api/advice", "/api/sync/push", "/api/sync/pull", "/api/leave-behind"]);
    expect(server.record("visits", VISIT)?.state.fields).toEqual({ status: "draft" });
    expect(app.version).toBeGreaterThan(before);
  });

  it("pulls everything again when a purged visit was reopened", async () => {
    const server = new FakeServer();
    const app = await services(server);
    app.session.profile = server.profile as unknown as Profile;
    await app.store.meta.set("repull", true);
    await app.triggers.syncNow(true);
    app.syncClient.stop();
    const pulls = server.requests.filter((r) => r.path === "/api/sync/pull").map((r) => (r.body as { cursor: string | null }).cursor);
    expect(pulls).toHaveLength(2);
    expect(pulls[1]).toBeNull();
    expect(await app.store.meta.get("repull")).toBe(false);
  });
});
