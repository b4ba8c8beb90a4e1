import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { base32, mintSurveyToken, surveyLink, TOKEN_RE, tokenSha256 } from "../../src/aftercare/token";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("survey token", () => {
  it("test_encode_base32_rfc4648_vectors", () => {
    expect(base32(bytes(""))).toBe("");
    expect(base32(bytes("f"))).toBe("MY======");
    expect(base32(bytes("fo"))).toBe("MZXQ====");
    expect(base32(bytes("foo"))).toBe("MZXW6===");
    expect(base32(bytes("foob"))).toBe("MZXW6YQ=");
    expect(base32(bytes("fooba"))).toBe("MZXW6YTB");
    expect(base32(bytes("foobar"))).toBe("MZXW6YTBOI======");
  });

  it("test_mint_token_from_sixteen_bytes_lowercase_26_chars", () => {
    const fixed = new Uint8Array(16).map((_, i) => i * 17);
    const token = mintSurveyToken((b) => {
      b.set(fixed);
      return b;
    });
    expect(token).toBe(base32(fixed).replace(/=+$/, "").toLowerCase());
    expect(token).toMatch(TOKEN_RE);
    expect(token).toHaveLength(26);
  });

  it("test_mint_token_random_each_time", () => {
    const seen = new Set(Array.from({ length: 200 }, () => mintSurveyToken()));
    expect(seen.size).toBe(200);
    for (const t of seen) expect(t).toMatch(TOKEN_RE);
  });

  it("test_hash_token_sha256_hex_as_server", async () => {
    const token = "abcdefghijklmnopqrstuvwxyz";
    expect(await tokenSha256(token)).toBe(createHash("sha256").update(token).digest("hex"));
    expect(await tokenSha256(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("test_build_link_origin_with_or_without_slash", () => {
    expect(surveyLink("https://doorstep.example", "abc")).toBe("https://doorstep.example/s/abc");
    expect(surveyLink("https://doorstep.example/", "abc")).toBe("https://doorstep.example/s/abc");
  });
});
