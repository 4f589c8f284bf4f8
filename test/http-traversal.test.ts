/**
 * Path traversal in every encoding never leaves the root. Requests go over
 * raw TCP so that no client normalises them first. A secret file sits next
 * to the roots; no answer may carry it (or /etc/passwd).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { HttpServer } from "../src/server/http/http-server.js";
import { memoryLogger } from "../src/util/logger.js";
import { freePort, tempDir } from "./helpers/env.js";
import { HLS_TYPES, httpConfig, location, raw } from "./http-fixture.js";

const get = (target: string, host = "localhost") =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

const ATTEMPTS: string[] = [
  "/hls/../secret.txt",
  "/hls/../../secret.txt",
  "/../secret.txt",
  "//../secret.txt",
  "/hls/./../../secret.txt",
  "/hls/%2e%2e/secret.txt",
  "/hls/%2e%2e/%2e%2e/secret.txt",
  "/hls/%2E%2E%2F%2E%2E%2Fsecret.txt",
  "/hls/..%2fsecret.txt",
  "/hls/..%2f..%2fsecret.txt",
  "/hls/.%2e/.%2e/secret.txt",
  "/hls/%2e./%2e./secret.txt",
  "/hls/..%5csecret.txt",
  "/hls/..%5c..%5csecret.txt",
  "/hls/%2e%2e%5c%2e%2e%5csecret.txt",
  "/hls/..\\..\\secret.txt",
  "/hls\\..\\..\\secret.txt",
  "/hls/%00/../../secret.txt",
  "/hls/test.m3u8%00.ts",
  "/hls/../../secret.txt%00.ts",
  "/hls/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
  "/hls/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afsecret.txt",
  "/hls/..%c0%af..%c0%afsecret.txt",
  "/hls/%e0%80%ae%e0%80%ae/%e0%80%ae%e0%80%ae/secret.txt",
  "/hls/%f0%80%80%ae%f0%80%80%ae/secret.txt",
  "/hls/%252e%252e/%252e%252e/secret.txt",
  "/hls/%252e%252e%252f%252e%252e%252fsecret.txt",
  "/hls/..%252f..%252fsecret.txt",
  "/hls/%ef%bc%8e%ef%bc%8e/%ef%bc%8e%ef%bc%8e/secret.txt",
  "/hls/..;/..;/secret.txt",
  "/hls/%u002e%u002e/secret.txt",
  "http://localhost/../secret.txt",
  "http://localhost/hls/%2e%2e/%2e%2e/secret.txt",
  "https://evil.example/hls/..%2f..%2fsecret.txt",
  "/hls/evil.ts",
  "/hls/evildir/secret.txt",
  "/hls/evildir/",
  "/media../secret.txt",
  "/media/../../secret.txt",
  "/../../../../../../etc/passwd",
  "/hls/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "/hls/....//....//secret.txt",
  "/hls/\xc0\xae\xc0\xae/secret.txt",
];

test("traversal attempts in every encoding are refused", async (t) => {
  const base = tempDir(t, "onair-trav-");
  const marker = `TOPSECRET-${randomBytes(8).toString("hex")}`;
  writeFileSync(join(base, "secret.txt"), `${marker}\n`);
  const www = join(base, "www");
  mkdirSync(join(www, "hls"), { recursive: true });
  mkdirSync(join(base, "html"), { recursive: true });
  mkdirSync(join(base, "media"), { recursive: true });
  writeFileSync(join(www, "hls", "test.m3u8"), "#EXTM3U\n");
  writeFileSync(join(www, "hls", "test-0.ts"), Buffer.alloc(376, 0x47));
  symlinkSync(join(base, "secret.txt"), join(www, "hls", "evil.ts"));
  symlinkSync(base, join(www, "hls", "evildir"));
  symlinkSync(join(www, "hls", "test-0.ts"), join(www, "hls", "good.ts"));
  const port = await freePort();
  const log = memoryLogger();
  const server = new HttpServer({
    config: httpConfig(base, port, [
      location("/hls", www, { types: new Map(HLS_TYPES) }),
      // the classic alias mistake (no trailing slash on the location): still safe
      location("/media", base, { alias: join(base, "media/") }),
      location("/", join(base, "html")),
    ]),
    log,
    accessLog: null,
    overlay: null,
    streams: () => [],
  });
  await server.start();
  t.after(() => server.stop());

  assert.ok(ATTEMPTS.length >= 30);
  const statuses: string[] = [];
  for (const target of ATTEMPTS) {
    const res = await raw(port, get(target));
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(res)?.[1] ?? 0);
    statuses.push(`${status} ${target}`);
    assert.ok(!res.includes(marker), `secret leaked by ${target}`);
    assert.ok(!res.includes("root:x:0:0"), `/etc/passwd leaked by ${target}`);
    assert.ok([400, 403, 404].includes(status), `${target} → ${status}`);
  }
  // symlinks: out of the root refused with 403, inside the root served
  assert.match(await raw(port, get("/hls/evil.ts")), /^HTTP\/1\.1 403 /);
  assert.match(await raw(port, get("/hls/good.ts")), /^HTTP\/1\.1 200 /);
  assert.match(await raw(port, get("/hls/test.m3u8")), /^HTTP\/1\.1 200 /);
  // a Host header cannot carry a path either
  assert.match(await raw(port, get("/hls/test.m3u8", "../../etc")), /^HTTP\/1\.1 400 /);
  t.diagnostic(statuses.join("\n"));
});
