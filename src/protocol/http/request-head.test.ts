import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MAX_HEADER_FIELDS, parseRequestHead } from "./request-head.js";

const b = (s: string) => Buffer.from(s, "latin1");

test("a plain GET head: method, target, version, lowercased fields, end offset", () => {
  const text =
    "GET /hls/test.m3u8?x=1 HTTP/1.1\r\nHost: a:80\r\nUser-Agent:  hls.js \t\r\nX-A: 1\r\nx-a: 2\r\n\r\n";
  const v = parseRequestHead(b(`${text}GET /next`), 0, 1024);
  assert.equal(v.kind, "ok");
  if (v.kind !== "ok") return;
  assert.equal(v.end, text.length);
  assert.equal(v.method, "GET");
  assert.equal(v.target, "/hls/test.m3u8?x=1");
  assert.equal(v.minor, 1);
  assert.deepEqual({ ...v.headers }, { host: "a:80", "user-agent": "hls.js", "x-a": "1, 2" });
});

test("heads are found from an offset (pipelining) and HTTP/1.0 is minor 0", () => {
  const one = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const v = parseRequestHead(b(`${one}HEAD /b HTTP/1.0\r\n\r\n`), one.length, 1024);
  assert.deepEqual(v.kind === "ok" && [v.method, v.target, v.minor], ["HEAD", "/b", 0]);
});

test("incomplete until the blank line; too large once maxBytes pass without one", () => {
  assert.equal(parseRequestHead(b("GET / HTTP/1.1\r\nHost: h\r\n"), 0, 1024).kind, "incomplete");
  assert.equal(parseRequestHead(b("GET / HTTP/1.1\r\nHost: h\r\n"), 0, 20).kind, "unsupported");
  const big = `GET / HTTP/1.1\r\nX: ${"a".repeat(100)}\r\n\r\n`;
  assert.equal(parseRequestHead(b(big), 0, 64).kind, "unsupported");
});

test("everything odd is unsupported, never guessed", () => {
  const bad = [
    "GET / HTTP/2.0\r\n\r\n",
    "GET  / HTTP/1.1\r\n\r\n",
    "GET / HTTP/1.1 \r\n\r\n",
    "G(T / HTTP/1.1\r\n\r\n",
    "GET /\x01 HTTP/1.1\r\n\r\n",
    "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
    "GET / HTTP/1.1\r\n folded\r\n\r\n",
    "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
    "GET / HTTP/1.1\r\n: empty\r\n\r\n",
    "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "GET / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n",
    "GET / HTTP/1.1\nHost: h\n\n\r\n\r\n",
    `GET / HTTP/1.1\r\n${"X: 1\r\n".repeat(MAX_HEADER_FIELDS + 1)}\r\n`,
  ];
  for (const text of bad) {
    assert.equal(parseRequestHead(b(text), 0, 32768).kind, "unsupported", JSON.stringify(text));
  }
});

test("fuzz: any bytes give a verdict, never an exception, and `end` stays in the buffer", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, at) => {
      const buf = Buffer.from(bytes);
      const start = Math.min(at, buf.length);
      const v = parseRequestHead(buf, start, 256);
      if (v.kind === "ok") assert.ok(v.end > start && v.end <= buf.length, "end within the buffer");
    }),
    { numRuns: 3000 },
  );
});

test("fuzz: generated heads parse back to their parts, whole or after any prefix", () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
  const value = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/);
  const target = fc.stringMatching(/^\/[!-~]{0,30}$/);
  fc.assert(
    fc.property(token, target, fc.dictionary(token, value, { maxKeys: 8 }), (method, tgt, fields) => {
      const lower = new Map<string, string>();
      let text = `${method} ${tgt} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(fields)) {
        const key = k.toLowerCase();
        if (lower.has(key) || ["host", "content-length", "transfer-encoding"].includes(key)) continue;
        lower.set(key, v);
        text += `${k}: ${v}\r\n`;
      }
      text += "\r\n";
      const v = parseRequestHead(b(`xx${text}`), 2, 32768);
      assert.equal(v.kind, "ok");
      if (v.kind !== "ok") return;
      assert.deepEqual([v.method, v.target, v.end], [method, tgt, text.length + 2]);
      assert.deepEqual(new Map(Object.entries(v.headers)), lower);
      for (let cut = 0; cut < text.length; cut += 7) {
        assert.equal(parseRequestHead(b(text.slice(0, cut)), 0, 32768).kind, "incomplete");
      }
    }),
    { numRuns: 500 },
  );
});
