/**
 * End-to-end: the raw-socket fast path for files held in memory answers
 * byte for byte as the node:http path does (Date aside), leaves everything
 * else to node:http on the same connection in request order, writes the same
 * access log lines, and honours keep-alive timeout and quit.
 */
import assert from "node:assert/strict";
import { symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import fc from "fast-check";
import { sleep } from "./helpers/env.js";
import { type Fixture, openClient, raw, startGuideServer } from "./http-fixture.js";

const PLAYLIST = Buffer.from(
  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\nlive-7.ts\n#EXTINF:1.0,\nlive-8.ts\n",
);
const SEGMENT = Buffer.alloc(188 * 200); // over the one-buffer limit: head and body written apart
for (let i = 0; i < SEGMENT.length; i++) SEGMENT[i] = i % 188 === 0 ? 0x47 : (i * 7) & 0xff;
const MTIME = Date.UTC(2026, 10, 25, 12, 0, 0);
const ETAG = `"${(MTIME / 1000).toString(16)}-${PLAYLIST.length.toString(16)}"`;
const LAST_MODIFIED = new Date(MTIME).toUTCString();

async function pair(t: TestContext, keepaliveMs = 65000): Promise<[Fixture, Fixture]> {
  const fixtures: Fixture[] = [];
  for (const fast of [true, false]) {
    const f = await startGuideServer(t, keepaliveMs, fast);
    const hls = join(f.www, "hls");
    f.overlay.set(join(hls, "live.m3u8"), { data: PLAYLIST, mtimeMs: MTIME, etag: ETAG });
    f.overlay.set(join(hls, "live-7.ts"), { data: SEGMENT, mtimeMs: MTIME, etag: '"seg-7"' });
    writeFileSync(join(hls, "big.ts"), Buffer.alloc(200 * 1024, 0x47));
    writeFileSync(join(f.base, "secret.txt"), "not for the web\n");
    symlinkSync(join(f.base, "secret.txt"), join(hls, "escape.txt"));
    // both twins' files carry the same mtime, so the same validators (the fixture wrote them at different times)
    for (const file of [
      join(hls, "test.m3u8"),
      join(hls, "test-0.ts"),
      join(hls, "big.ts"),
      join(f.base, "html", "index.html"),
    ]) {
      utimesSync(file, MTIME / 1000, MTIME / 1000);
    }
    fixtures.push(f);
  }
  return fixtures as [Fixture, Fixture];
}

const noDate = (s: string) => s.replace(/^Date: .*\r\n/gm, "Date: -\r\n");
const noTime = (lines: string[]) => lines.map((l) => l.replace(/\[[^\]]+\]/, "[-]"));
const get = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;
const last = (path: string) => get(path, "Connection: close\r\n");

/** Request sequences, each ending with one that closes the connection. */
const CASES: [string, string][] = [
  ["GET playlist", last("/hls/live.m3u8")],
  ["GET with a query string", last("/hls/live.m3u8?token=abc&x=1")],
  ["HEAD playlist", `HEAD /hls/live.m3u8 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`],
  ["GET segment (body written apart)", last("/hls/live-7.ts")],
  [
    "If-None-Match that matches: 304",
    get("/hls/live.m3u8", `If-None-Match: ${ETAG}\r\nConnection: close\r\n`),
  ],
  ["If-None-Match list with *", get("/hls/live.m3u8", 'If-None-Match: "x", *\r\nConnection: close\r\n')],
  ["If-None-Match that does not match", get("/hls/live.m3u8", 'If-None-Match: "x"\r\nConnection: close\r\n')],
  [
    "If-Modified-Since equal: 304",
    get("/hls/live.m3u8", `If-Modified-Since: ${LAST_MODIFIED}\r\nConnection: close\r\n`),
  ],
  ["If-Match that fails: 412", get("/hls/live.m3u8", 'If-Match: "nope"\r\nConnection: close\r\n')],
  ["Range: 206 from node:http", get("/hls/live-7.ts", "Range: bytes=0-187\r\nConnection: close\r\n")],
  ["HTTP/1.0", "GET /hls/live.m3u8 HTTP/1.0\r\n\r\n"],
  ["encoded target", last("/hls/%6Cive.m3u8")],
  ["dot segments", last("/hls/x/../live.m3u8")],
  ["double slash", last("/hls//live.m3u8")],
  ["missing file: 404 from disk", last("/hls/nothing.ts")],
  ["small file on disk", last("/hls/test.m3u8")],
  ["big file on disk: node:http streams it", last("/hls/big.ts")],
  ["directory without its slash: 301", last("/hls/sub")],
  ["symlink out of the root: 403", last("/hls/escape.txt")],
  ["index", last("/")],
  [
    "POST: 405",
    "POST /hls/live.m3u8 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
  ],
  ["bad Host: 400", "GET /hls/live.m3u8 HTTP/1.1\r\nHost: a..b\r\n\r\n"],
  ["no Host", "GET /hls/live.m3u8 HTTP/1.1\r\nConnection: close\r\n\r\n"],
  ["Connection: Close, any case", get("/hls/live.m3u8", "connection: Close\r\n")],
  ["onair's API", last("/onair/api/streams")],
  ["oversized head: 431 from node:http", get("/hls/live.m3u8", `X-Big: ${"a".repeat(40000)}\r\n`)],
  [
    "pipelined: fast, node:http, fast",
    get("/hls/live.m3u8") + get("/hls/live-7.ts", "Range: bytes=10-20\r\n") + last("/hls/live.m3u8"),
  ],
  [
    "pipelined: fast, fast, 304, HEAD",
    `${get("/hls/live.m3u8")}${get("/hls/live-7.ts")}${get("/hls/live.m3u8", `If-None-Match: ${ETAG}\r\n`)}HEAD /hls/live-7.ts HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
  ],
];

test("the fast path answers as node:http does, for every request shape", async (t) => {
  const [fast, slow] = await pair(t);
  for (const [name, request] of CASES) {
    const a = await raw(fast.port, request);
    const b = await raw(slow.port, request);
    assert.equal(noDate(a), noDate(b), name);
    assert.ok(a.startsWith("HTTP/1.1 "), `${name}: answered`);
  }
  // node:http logs on the response's "close", which may come just after the client saw the socket close
  const deadline = Date.now() + 2000;
  while (slow.access.length < fast.access.length && Date.now() < deadline) await sleep(10);
  assert.deepEqual(noTime(fast.access), noTime(slow.access), "same access log lines");
  assert.equal(slow.server.fastServed, 0, "the slow twin never used the fast path");
  // taken by the fast path: the first 8 cases, the small file on disk, "Connection: Close", the first
  // request of the first pipeline (the rest of that connection belongs to node:http) and the whole
  // second pipeline
  assert.equal(fast.server.fastServed, 15, `fast path served ${fast.server.fastServed}`);
});

test("a head split over two reads is answered whole by the fast path", async (t) => {
  const [fast] = await pair(t);
  const c = openClient(t, fast.port);
  const sock = c.sock;
  const req = last("/hls/live.m3u8");
  sock.write(req.slice(0, 20));
  await new Promise((r) => setTimeout(r, 50));
  sock.write(req.slice(20));
  await c.closed;
  const got = c.text();
  assert.match(got, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(got.endsWith(PLAYLIST.toString("latin1")), "whole body");
  assert.equal(fast.server.fastServed, 1);
});

test("keep-alive on the fast path: many requests on one socket, closed after keepalive_timeout", async (t) => {
  const [fast] = await pair(t, 400);
  const c = openClient(t, fast.port);
  const sock = c.sock;
  sock.write(get("/hls/live.m3u8").repeat(5));
  await new Promise((r) => setTimeout(r, 150));
  sock.write(get("/hls/live-7.ts"));
  const sentLast = Date.now();
  const closedAt = await c.closed;
  const got = c.text();
  assert.equal(got.match(/HTTP\/1\.1 200 OK/g)?.length, 6);
  assert.match(got, /Keep-Alive: timeout=0\r\n/);
  assert.equal(fast.server.fastServed, 6);
  assert.ok(closedAt - sentLast >= 300, `closed after ${closedAt - sentLast} ms`);
  assert.ok(closedAt - sentLast < 3000, `closed after ${closedAt - sentLast} ms`);
});

test("quit ends idle fast-path connections at once", async (t) => {
  const [fast] = await pair(t);
  const c = openClient(t, fast.port);
  const sock = c.sock;
  sock.write(get("/hls/live.m3u8"));
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  await fast.server.quit(5000);
  await c.closed;
  assert.ok(Date.now() - t0 < 1000, `quit took ${Date.now() - t0} ms`);
  assert.equal(c.text().match(/HTTP\/1\.1 200 OK/g)?.length, 1);
});

test("a client that pipelines without reading is answered only up to ~1 MiB ahead, then fully once it reads", async (t) => {
  const [fast] = await pair(t);
  const c = openClient(t, fast.port);
  c.sock.pause(); // read nothing for now
  const n = 2000;
  c.sock.write(get("/hls/live-7.ts").repeat(n - 1) + last("/hls/live-7.ts"));
  await sleep(500);
  const ahead = fast.server.fastServed;
  // 1 MiB of unsent answers on the server, plus what the kernel's socket buffers hold
  assert.ok(ahead < 400, `answered ${ahead} of ${n} while the client read nothing`);
  let bytes = 0;
  c.sock.on("data", (d: Buffer) => {
    bytes += d.length;
  });
  c.sock.resume();
  await c.closed;
  assert.equal(fast.server.fastServed, n, "every request answered by the fast path");
  assert.ok(bytes > n * SEGMENT.length, `received ${bytes} bytes`);
});

test("fuzz: mutated requests over raw sockets never take the server down", async (t) => {
  const [fast] = await pair(t);
  const seeds = CASES.map(([, r]) => Buffer.from(r.slice(0, 2000), "latin1"));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
      async (seed, flips, cut) => {
        const bytes = Buffer.from(seed);
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        const sent = bytes.subarray(0, Math.max(1, cut % (bytes.length + 1)));
        const answer = await raw(fast.port, sent, 100);
        // an answer, if any, is a whole status line from one of the two paths
        if (answer.length > 0) assert.match(answer, /^HTTP\/1\.1 \d{3} /);
      },
    ),
    { numRuns: 150 },
  );
  const ok = await raw(fast.port, last("/hls/live.m3u8"));
  assert.match(ok, /^HTTP\/1\.1 200 OK\r\n/);
});
