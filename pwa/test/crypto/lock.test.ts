import { describe, expect, it } from "vitest";

import { lockIdleMs, purgeGraceMs, withoutPrf, SHORTER_PURGE_KEY } from "../../src/crypto/lock";
import type { Profile } from "../../src/model/types";

const HOUR = 3_600_000;

describe("device-security settings", () => {
  it("settings: server values, defaults, and local values that can only shorten", () => {
    const profile = { settings: { device_lock_idle_seconds: 120, device_purge_grace_seconds: 3600, device_without_prf: "online_only" } } as unknown as Profile;
    expect(lockIdleMs(profile)).toBe(120_000);
    expect(lockIdleMs(null)).toBe(300_000);
    expect(purgeGraceMs(profile)).toBe(3_600_000);
    expect(purgeGraceMs(null)).toBe(24 * HOUR);
    expect(withoutPrf(profile)).toBe("online_only");
    expect(withoutPrf(null)).toBe("pin");
    const storage = new Map<string, string>();
    (globalThis as { localStorage?: unknown }).localStorage = { getItem: (k: string) => storage.get(k) ?? null };
    try {
      storage.set(SHORTER_PURGE_KEY, "2");
      expect(purgeGraceMs(profile)).toBe(2000);
      storage.set(SHORTER_PURGE_KEY, "999999");
      expect(purgeGraceMs(profile)).toBe(3_600_000); // never longer than the server's value
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});
