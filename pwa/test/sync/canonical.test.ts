/** Unit tests for canonical JSON edge cases (PROTOCOL.md 4.1) beyond the shared vectors. */

import { describe, expect, it } from "vitest";

import {
  CanonicalError,
  canonicalDigest,
  canonicalJson,
  compareCodePoints,
  formatNumber,
  jsonEqual,
  normaliseJson,
} from "../../src/sync";

describe("formatNumber writes numbers as ECMAScript does", () => {
  it.each([
    [1e21, "1e+21"],
    [1e20, "100000000000000000000"],
    [1e-7, "1e-7"],
    [1e-6, "0.000001"],
    [-0, "0"],
    [0.1 + 0.2, "0.30000000000000004"],
    [650.0, "650"],
    [-1.5e-10, "-1.5e-10"],
    [123456789012345678901234, "1.2345678901234569e+23"],
    [2 ** 53 + 1, "9007199254740992"],
    [Number.MAX_VALUE, "1.7976931348623157e+308"],
    [5e-324, "5e-324"],
  ])("%s -> %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it("refuses non-finite numbers", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => formatNumber(value)).toThrow(CanonicalError);
      expect(() => canonicalJson([value])).toThrow("number is not finite");
    }
  });

  it("writes -0 inside structures as 0 and treats it as equal to 0", () => {
    expect(canonicalJson({ a: -0, b: [-0] })).toBe('{"a":0,"b":[0]}');
    expect(jsonEqual(-0, 0)).toBe(true);
    expect(Object.is(normaliseJson(-0), 0)).toBe(true);
  });
});

describe("canonicalJson key order", () => {
  it("sorts keys by UTF-16 code units, so a non-BMP key sorts before U+E000..U+FFFF", () => {
    // U+1F600 is the surrogate pair D83D DE00; U+FF21 (fullwidth A) is FF21.
    const value = { "\uFF21": 1, "\u{1F600}": 2, z: 3, "\u00E9": 4, A: 5 };
    expect(canonicalJson(value)).toBe('{"A":5,"z":3,"\u00E9":4,"\u{1F600}":2,"\uFF21":1}');
  });

  it("matches the vector: the empty key sorts first, emoji before U+E000 private use", () => {
    expect(canonicalJson({ "\uE000": 1, "\u{1F600}": 2 })).toBe('{"\u{1F600}":2,"\uE000":1}');
  });

  it("is independent of insertion order, recursively", () => {
    expect(canonicalJson({ b: { y: 1, x: [{ d: 1, c: 2 }] }, a: null })).toBe(
      '{"a":null,"b":{"x":[{"c":2,"d":1}],"y":1}}',
    );
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(true, 1)).toBe(false);
  });

  it("compareCodePoints is Python's sorted() order, which differs from UTF-16 order above U+FFFF", () => {
    expect(["\uFF21", "\u{1F600}", "a"].sort(compareCodePoints)).toEqual(["a", "\uFF21", "\u{1F600}"]);
    expect(["\uFF21", "\u{1F600}", "a"].sort()).toEqual(["a", "\u{1F600}", "\uFF21"]);
  });
});

describe("canonicalJson strings", () => {
  it("escapes like JSON.stringify and keeps non-ASCII raw", () => {
    expect(canonicalJson("é\u2028\u007f\b\f\u001f")).toBe('"é\u2028\u007f\\b\\f\\u001f"');
  });

  it("refuses lone surrogates in values and keys", () => {
    expect(() => canonicalJson("\uD800")).toThrow("lone surrogate");
    expect(() => canonicalJson({ "\uDC00x": 1 })).toThrow("lone surrogate");
    expect(canonicalJson("\u{1F600}")).toBe('"\u{1F600}"');
  });

  it("refuses values that are not JSON", () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(CanonicalError);
    expect(() => canonicalJson(new Date(0))).toThrow(CanonicalError);
  });

  it("limits nesting to 32 levels", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 32; i++) deep = [deep];
    expect(() => canonicalJson(deep)).not.toThrow();
    expect(() => canonicalJson([deep])).toThrow("nested too deeply");
  });
});

describe("canonicalDigest", () => {
  it("gives the protocol's example digest (PROTOCOL.md 4.1)", async () => {
    const view = {
      at: "2024-05-01T10:00:00.000Z",
      base_rev: 2,
      collection: "visits",
      fields: { "property.value_gbp": 650, "victim.name": "Zoë Ó'Brien", "victim.vulnerable": true },
      id: "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
      op: "put",
    };
    expect(await canonicalDigest(view)).toBe(
      "050aab7e9c4854beaa14495bb77b2c9dfa339156b38a6ac802c680de63429619",
    );
  });
});
