import { describe, expect, it } from "vitest";

import { META } from "../../src/db/meta";
import { sealedAt } from "../../src/db/sealing";

describe("meta keys and seal places", () => {
  it("are the strings phones in the field were written with", () => {
    expect(Object.values(META).sort()).toEqual([
      "acked_seq", "catalogue", "client_id", "cursor", "epoch", "last_active_at", "last_sync_at", "leave_behind", "lock_idle_ms", "next_seq",
      "owner", "persisted", "pin_failures", "prf_enabled", "profile", "purge_seen", "purged_visits", "reflected_seq", "repull",
      "seq_broken", "signin_needed", "vault",
    ]);
    expect(new Set(Object.values(META)).size).toBe(Object.values(META).length);
  });

  it("bind each sealed value to the place it was written at (AAD)", () => {
    const id = "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
    expect(sealedAt.meta(META.profile)).toBe("meta/profile");
    expect(sealedAt.meta(META.purgedVisits)).toBe("meta/purged_visits");
    expect(sealedAt.record("visits", id)).toBe(`records/visits/${id}`);
    expect(sealedAt.server("kit_issues", id)).toBe(`server/kit_issues/${id}`);
    expect(sealedAt.outbox({ epoch: 2, seq: 7, collection: "photos", id })).toBe(`outbox/2/7/photos/${id}`);
    expect(sealedAt.draft("visits", id, "victim.name")).toBe(`drafts/visits/${id}/victim.name`);
    expect(sealedAt.photo(id)).toBe(`photos/${id}`);
  });
});
