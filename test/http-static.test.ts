/**
 * End-to-end: HttpServer on a free port serving the guide's `http` block from
 * temp folders, over real sockets (node's fetch and raw TCP): headers, Range,
 * HEAD, conditional requests, status codes, the overlay, the access log.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { raw, startGuideServer as start, statusOf } from "./http-fixture.js";

test("the guide's /hls headers: MIME types, Cache-Control, CORS, validators", async (t) => {
  const f = await start(t);
  const url = `http://127.0.0.1:${f.port}`;
  const pl = await fetch(`${url}/hls/test.m3u8`);
  assert.equal(pl.status, 200);
  assert.equal(pl.headers.get("content-type"), "application/vnd.apple.mpegurl");
  assert.equal(pl.headers.get("cache-control"), "no-cache");
  assert.equal(pl.headers.get("access-control-allow-origin"), "*");
  assert.equal(pl.headers.get("server"), "onair");
  assert.equal(pl.headers.get("accept-ranges"), "bytes");
  assert.match(pl.headers.get("etag") ?? "", /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.match(pl.headers.get("last-modified") ?? "", /GMT$/);
  assert.match(await pl.text(), /^#EXTM3U/);
  const seg = await fetch(`${url}/hls/test-0.ts`);
  assert.equal(seg.headers.get("content-type"), "video/mp2t");
  assert.equal(seg.headers.get("content-length"), String(f.segment.length));
  assert.deepEqual(Buffer.from(await seg.arrayBuffer()), f.segment);
  const etag = seg.headers.get("etag")!;
  assert.equal(
    etag,
    `"${Math.floor(Date.parse(seg.headers.get("last-modified")!) / 1000).toString(16)}-${f.segment.length.toString(16)}"`,
  );
  // location / : index file and no guide headers there
  const home = await fetch(`${url}/`);
  assert.equal(home.status, 200);
  assert.equal(home.headers.get("content-type"), "text/html");
  assert.equal(home.headers.get("cache-control"), null);
  assert.match(await home.text(), /onair home/);
});

test("Range: first, last, suffix, open-ended, unsatisfiable; HEAD", async (t) => {
  const f = await start(t);
  const url = `http://127.0.0.1:${f.port}/hls/test-0.ts`;
  const len = f.segment.length;
  const cases: [string, number, number][] = [
    ["bytes=0-187", 0, 187],
    [`bytes=${len - 1}-${len - 1}`, len - 1, len - 1],
    ["bytes=-100", len - 100, len - 1],
    ["bytes=1000-", 1000, len - 1],
    [`bytes=0-${len * 2}`, 0, len - 1],
  ];
  for (const [range, s, e] of cases) {
    const r = await fetch(url, { headers: { Range: range } });
    assert.equal(r.status, 206, range);
    assert.equal(r.headers.get("content-range"), `bytes ${s}-${e}/${len}`, range);
    assert.equal(r.headers.get("content-length"), String(e - s + 1));
    assert.equal(r.headers.get("cache-control"), "no-cache", "add_header applies to 206");
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), f.segment.subarray(s, e + 1), range);
  }
  for (const range of [`bytes=${len}-`, "bytes=5-3", "bytes=-0", "bytes=x-y"]) {
    const r = await fetch(url, { headers: { Range: range } });
    assert.equal(r.status, 416, range);
    assert.equal(r.headers.get("content-range"), `bytes */${len}`);
    assert.equal(r.headers.get("cache-control"), null, "add_header without always: not on 416");
    await r.arrayBuffer();
  }
  // files above 256 KiB are streamed: whole body and a range, twice on the same keep-alive agent
  const big = Buffer.alloc(3 * 1024 * 1024 + 5);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  writeFileSync(join(f.www, "hls", "big.ts"), big);
  for (let i = 0; i < 2; i++) {
    const whole = await fetch(url.replace("test-0.ts", "big.ts"));
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), big);
    const part = await fetch(url.replace("test-0.ts", "big.ts"), { headers: { Range: "bytes=1000000-" } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), big.subarray(1000000));
  }
  const multi = await fetch(url, { headers: { Range: "bytes=0-1,10-11" } });
  assert.equal(multi.status, 200, "several ranges: the whole body");
  assert.equal((await multi.arrayBuffer()).byteLength, len);
  const stale = await fetch(url, { headers: { Range: "bytes=0-1", "If-Range": '"0-0"' } });
  assert.equal(stale.status, 200, "If-Range that does not match: the whole body");
  await stale.arrayBuffer();
  const head = await raw(
    f.port,
    "HEAD /hls/test-0.ts HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
  );
  assert.equal(statusOf(head), 200);
  assert.match(head, new RegExp(`\r\nContent-Length: ${len}\r\n`));
  assert.match(head, /\r\nContent-Type: video\/mp2t\r\n/);
  assert.ok(head.endsWith("\r\n\r\n"), "HEAD has no body");
});

test("conditional requests: 304 by ETag and by If-Modified-Since; 412", async (t) => {
  const f = await start(t);
  const url = `http://127.0.0.1:${f.port}/hls/test.m3u8`;
  const first = await fetch(url);
  await first.text();
  const etag = first.headers.get("etag")!;
  const lm = first.headers.get("last-modified")!;
  const byTag = await fetch(url, { headers: { "If-None-Match": etag } });
  assert.equal(byTag.status, 304);
  assert.equal(byTag.headers.get("etag"), etag);
  assert.equal(byTag.headers.get("cache-control"), "no-cache", "add_header applies to 304");
  assert.equal(byTag.headers.get("content-type"), null);
  const byDate = await fetch(url, { headers: { "If-Modified-Since": lm } });
  assert.equal(byDate.status, 304);
  const changed = await fetch(url, { headers: { "If-None-Match": '"1-1"' } });
  assert.equal(changed.status, 200);
  await changed.text();
  const pre = await fetch(url, { headers: { "If-Match": '"1-1"' } });
  assert.equal(pre.status, 412);
  await pre.text();
});

test("status codes: 404, 403, 405, 301, 400, 414, 431", async (t) => {
  const f = await start(t);
  const url = `http://127.0.0.1:${f.port}`;
  const nf = await fetch(`${url}/hls/nothing.ts`);
  assert.equal(nf.status, 404);
  assert.equal(nf.headers.get("content-type"), "text/html");
  assert.match(await nf.text(), /<center><h1>404 Not Found<\/h1><\/center>/);
  const dir = await fetch(`${url}/empty/`);
  assert.equal(dir.status, 403, "directory without index");
  await dir.text();
  for (const method of ["POST", "PUT", "DELETE"]) {
    const r = await fetch(`${url}/hls/test.m3u8`, { method, body: method === "DELETE" ? undefined : "x" });
    assert.equal(r.status, 405, method);
    assert.equal(r.statusText, "Not Allowed");
    await r.text();
  }
  const redirect = await fetch(`${url}/hls/sub?a=1`, { redirect: "manual" });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get("location"), `http://127.0.0.1:${f.port}/hls/sub/?a=1`);
  await redirect.text();
  const bad = await raw(f.port, "GARBAGE\r\n\r\n");
  assert.equal(statusOf(bad), 400);
  assert.match(bad, /Server: onair/);
  const long = await raw(f.port, `GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.equal(statusOf(long), 414);
  const big = await raw(f.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(40000)}\r\n\r\n`);
  assert.equal(statusOf(big), 431);
  const noHost = await raw(f.port, "GET / HTTP/1.1\r\n\r\n");
  assert.equal(statusOf(noHost), 400, "HTTP/1.1 without Host");
  const connectReq = await raw(f.port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  assert.equal(statusOf(connectReq), 405);
  const unknown = await raw(f.port, "PROPFIND /hls/test.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(statusOf(unknown), 405);
  const badHost = await raw(f.port, "GET / HTTP/1.1\r\nHost: ../..\r\n\r\n");
  assert.equal(statusOf(badHost), 400);
});

test("the overlay is served before the disk", async (t) => {
  const f = await start(t);
  const url = `http://127.0.0.1:${f.port}`;
  const live = Buffer.from("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:42\n");
  f.overlay.set(join(f.www, "hls", "test.m3u8"), { data: live, mtimeMs: Date.now(), etag: '"mem-1"' });
  f.overlay.set(join(f.www, "hls", "only-in-memory.ts"), {
    data: Buffer.from("TS"),
    mtimeMs: 0,
    etag: '"mem-2"',
  });
  const r = await fetch(`${url}/hls/test.m3u8`);
  assert.equal(await r.text(), live.toString());
  assert.equal(r.headers.get("etag"), '"mem-1"');
  assert.equal(r.headers.get("content-type"), "application/vnd.apple.mpegurl");
  const m = await fetch(`${url}/hls/only-in-memory.ts`, { headers: { Range: "bytes=1-" } });
  assert.equal(m.status, 206);
  assert.equal(await m.text(), "S");
  const c = await fetch(`${url}/hls/test.m3u8`, { headers: { "If-None-Match": '"mem-1"' } });
  assert.equal(c.status, 304);
});

test("access log lines in nginx's combined format", async (t) => {
  const f = await start(t);
  const r = await fetch(`http://127.0.0.1:${f.port}/hls/test-0.ts?x=1`, {
    headers: { "User-Agent": "onair-test/1", Referer: "http://ref/" },
  });
  await r.arrayBuffer();
  const nf = await fetch(`http://127.0.0.1:${f.port}/missing`);
  await nf.text();
  await new Promise((res) => setTimeout(res, 50));
  const combined =
    /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/hls\/test-0\.ts\?x=1 HTTP\/1\.1" 200 (\d+) "http:\/\/ref\/" "onair-test\/1"$/;
  const m = combined.exec(f.access[0] ?? "");
  assert.ok(m, f.access[0]);
  assert.equal(Number(m[1]), f.segment.length);
  assert.match(f.access[1] ?? "", /"GET \/missing HTTP\/1\.1" 404 \d+ "-" "/);
});

test("player routes: streams JSON and hls.js from node_modules", async (t) => {
  const f = await start(t);
  const url = `http://127.0.0.1:${f.port}`;
  const s = await fetch(`${url}/onair/api/streams`);
  assert.equal(s.headers.get("content-type"), "application/json");
  assert.deepEqual(await s.json(), { streams: [{ app: "live", name: "test", hls: "/hls/test.m3u8" }] });
  const js = await fetch(`${url}/onair/hls.min.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get("content-type"), "application/javascript");
  assert.ok((await js.text()).length > 100_000);
});

// Regression: a streamed body's descriptor was closed twice (by the read stream's
// destroy and by the handler), closing another request's file: EBADF, 500s.
test("concurrent streamed downloads, aborted or not, never disturb other requests", async (t) => {
  const f = await start(t);
  const big = Buffer.alloc(2 * 1024 * 1024, 0x47);
  writeFileSync(join(f.www, "hls", "big.ts"), big);
  const aborts = Array.from({ length: 20 }, async () => {
    const ac = new AbortController();
    const r = await fetch(`${f.url}/hls/big.ts`, { signal: ac.signal });
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.read().catch(() => {});
  });
  const wholes = Array.from({ length: 10 }, async () => {
    const r = await fetch(`${f.url}/hls/big.ts`);
    assert.equal((await r.arrayBuffer()).byteLength, big.length);
  });
  const smalls = Array.from({ length: 200 }, async (_, i) => {
    const r = await fetch(`${f.url}/hls/${i % 2 ? "test.m3u8" : "test-0.ts"}`);
    assert.equal(r.status, 200);
    const body = Buffer.from(await r.arrayBuffer());
    if (i % 2 === 0) assert.deepEqual(body, f.segment);
  });
  await Promise.all([...aborts, ...wholes, ...smalls]);
});
