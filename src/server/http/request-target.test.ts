import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { normalizePath, parseRequestTarget } from "./request-target.js";

const OK: [string, string, string][] = [
  ["/", "/", ""],
  ["/hls/test.m3u8", "/hls/test.m3u8", ""],
  ["/hls/test.m3u8?x=1&y=%2e", "/hls/test.m3u8", "x=1&y=%2e"],
  ["//hls///a.ts", "/hls/a.ts", ""],
  ["/hls/./a.ts", "/hls/a.ts", ""],
  ["/hls/x/../a.ts", "/hls/a.ts", ""],
  ["/hls/%61.ts", "/hls/a.ts", ""],
  ["/hls/x%2f..%2fa.ts", "/hls/a.ts", ""],
  ["/a/.", "/a/", ""],
  ["/a/..", "/", ""],
  ["/a/b/", "/a/b/", ""],
  ["/..a/...", "/..a/...", ""],
  ["/%252e%252e/x", "/%2e%2e/x", ""],
  ["/caf%C3%A9", "/café", ""],
  ["/a#frag", "/a", ""],
  ["http://example.com/hls/a.ts", "/hls/a.ts", ""],
  ["HTTP://example.com", "/", ""],
  ["/a\\b", "/a/b", ""],
];

test("request targets that normalise", () => {
  for (const [raw, path, args] of OK) {
    const r = parseRequestTarget(raw);
    assert.ok(r.ok, `${raw}: ${JSON.stringify(r)}`);
    assert.equal(r.path, path, raw);
    assert.equal(r.args, args, raw);
  }
  const abs = parseRequestTarget("http://example.com:8080/x");
  assert.ok(abs.ok && abs.host === "example.com:8080");
});

const BAD: string[] = [
  "/..",
  "/../etc/passwd",
  "/hls/../../etc/passwd",
  "/%2e%2e/etc/passwd",
  "/%2E%2E%2Fetc%2Fpasswd",
  "/hls/..%2f..%2fetc/passwd",
  "/hls/%2e%2e%5c%2e%2e%5cetc/passwd",
  "/..\\..\\etc\\passwd",
  "/a%00.ts",
  "/a%zz",
  "/a%2",
  "/%c0%ae%c0%ae/etc/passwd",
  "/%c0%af",
  "/%ff",
  "*",
  "etc/passwd",
  "http://",
  "http://a@b/x",
];

test("request targets that are refused with 400", () => {
  for (const raw of BAD) {
    const r = parseRequestTarget(raw);
    assert.ok(!r.ok && r.status === 400, `${raw}: ${JSON.stringify(r)}`);
  }
  const long = parseRequestTarget(`/${"a".repeat(9000)}`);
  assert.ok(!long.ok && long.status === 414);
});

test("fuzz: a normalised path never holds a dot segment, NUL, backslash or empty segment", () => {
  const alphabet = ["/", ".", "..", "%2e", "%2f", "%5c", "\\", "%00", "a", "%c0%ae", "%", "%25", "?", "b/"];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }), (parts) => {
      const r = parseRequestTarget(`/${parts.join("")}`);
      if (!r.ok) return;
      assert.ok(r.path.startsWith("/"));
      assert.ok(!r.path.includes("\0"));
      assert.ok(!r.path.includes("\\"));
      const segs = r.path.split("/").slice(1, -1);
      for (const s of segs) assert.ok(s !== "" && s !== "." && s !== "..", r.path);
      const lastSeg = r.path.split("/").at(-1);
      assert.ok(lastSeg !== "." && lastSeg !== "..");
    }),
    { numRuns: 3000 },
  );
});

test("fuzz: any string either parses or is refused, never throws", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      parseRequestTarget(s);
      parseRequestTarget(`/${s}`);
    }),
  );
  assert.equal(normalizePath("/a/b/../../.."), null);
});
