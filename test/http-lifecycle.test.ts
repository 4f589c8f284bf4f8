/**
 * End-to-end: the HTTP server's lifecycle and its configuration: keep-alive,
 * reload keeping the socket, graceful quit, and the guide's block read by the
 * project's config loader.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { parseNginxConfigText } from "../src/config/index.js";
import { HttpServer } from "../src/server/http/http-server.js";
import { memoryLogger } from "../src/util/logger.js";
import { freePort, projectRoot, tempDir } from "./helpers/env.js";
import { openClient, startGuideServer as start } from "./http-fixture.js";

test("keep-alive: several requests on one connection, closed after keepalive_timeout", async (t) => {
  const f = await start(t, 400);
  const c = openClient(t, f.port);
  const sock = c.sock;
  const req = "GET /hls/test.m3u8 HTTP/1.1\r\nHost: localhost\r\n\r\n";
  sock.write(req + req);
  await new Promise((r) => setTimeout(r, 150));
  sock.write(req);
  const sentLast = Date.now();
  const closedAt = await c.closed;
  assert.equal(c.text().match(/HTTP\/1\.1 200 OK/g)?.length, 3);
  assert.ok(closedAt - sentLast >= 300, `closed after ${closedAt - sentLast} ms`);
  assert.ok(closedAt - sentLast < 3000);
});

test("reload keeps the listening socket and applies the new config; quit ends", async (t) => {
  const f = await start(t);
  const url = `http://127.0.0.1:${f.port}/hls/test.m3u8`;
  const next = structuredClone(f.config);
  const hls = next.http!.servers[0]!.locations[0]!;
  hls.addHeaders = [{ name: "X-Reloaded", value: "yes", always: true }];
  await f.server.reload(next);
  const r = await fetch(url);
  assert.equal(r.headers.get("x-reloaded"), "yes");
  assert.equal(r.headers.get("cache-control"), null);
  await r.text();
  await f.server.quit(1000);
  await assert.rejects(fetch(url));
});

test("the guide's http block, read by the config loader, serves as in nginx", async (t) => {
  const base = tempDir(t, "onair-http-conf-");
  const www = join(base, "var/www/html");
  mkdirSync(join(www, "hls"), { recursive: true });
  mkdirSync(join(base, "conf"), { recursive: true });
  mkdirSync(join(base, "html"), { recursive: true });
  writeFileSync(join(base, "conf", "mime.types"), readFileSync(join(projectRoot, "conf", "mime.types")));
  writeFileSync(join(base, "html", "index.html"), "<html>guide home</html>\n");
  writeFileSync(join(www, "hls", "test.m3u8"), "#EXTM3U\n");
  writeFileSync(join(www, "hls", "test-0.ts"), Buffer.alloc(188, 0x47));
  const port = await freePort();
  const text = `
http {
    include mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;

    server {
        listen 127.0.0.1:${port};
        server_name localhost;

        location /hls {
            types {
                application/vnd.apple.mpegurl m3u8;
                video/mp2t ts;
            }
            root ${www};
            add_header Cache-Control no-cache;
            add_header Access-Control-Allow-Origin *;
        }

        location / {
            root html;
            index index.html;
        }
    }
}
`;
  const config = parseNginxConfigText(text, join(base, "conf", "nginx.conf"), { prefix: base });
  const server = new HttpServer({
    config,
    log: memoryLogger(),
    accessLog: null,
    overlay: null,
    streams: () => [],
  });
  await server.start();
  t.after(() => server.stop());
  const url = `http://127.0.0.1:${port}`;
  const pl = await fetch(`${url}/hls/test.m3u8`);
  assert.equal(pl.status, 200);
  assert.equal(pl.headers.get("content-type"), "application/vnd.apple.mpegurl");
  assert.equal(pl.headers.get("cache-control"), "no-cache");
  assert.equal(pl.headers.get("access-control-allow-origin"), "*");
  await pl.text();
  const seg = await fetch(`${url}/hls/test-0.ts`);
  assert.equal(seg.headers.get("content-type"), "video/mp2t");
  await seg.arrayBuffer();
  const home = await fetch(`${url}/`);
  assert.equal(home.headers.get("content-type"), "text/html");
  assert.match(await home.text(), /guide home/);
});

test("quit lets a slow download run until the timeout, then closes it", async (t) => {
  const f = await start(t);
  writeFileSync(join(f.www, "hls", "big.ts"), Buffer.alloc(32 * 1024 * 1024, 0x47));
  const idle = connect(f.port, "127.0.0.1");
  const slow = connect(f.port, "127.0.0.1");
  t.after(() => {
    idle.destroy();
    slow.destroy();
  });
  const idleClosed = new Promise<void>((r) => idle.on("close", () => r()));
  const slowClosed = new Promise<void>((r) => slow.on("close", () => r()));
  idle.on("data", () => {});
  idle.write("GET /hls/test.m3u8 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  let firstByte: () => void = () => {};
  const gotFirst = new Promise<void>((r) => {
    firstByte = r;
  });
  slow.once("data", () => {
    firstByte();
    slow.pause(); // a client that stops reading: the 32 MB answer cannot finish
  });
  slow.write("GET /hls/big.ts HTTP/1.1\r\nHost: localhost\r\n\r\n");
  await gotFirst;
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  await f.server.quit(500);
  const took = Date.now() - t0;
  assert.ok(took >= 400 && took < 3000, `quit took ${took} ms`);
  await idleClosed;
  let received = 0;
  slow.on("data", (c: Buffer) => {
    received += c.length;
  });
  slow.resume(); // read what was in flight; the connection was cut before the whole body
  await slowClosed;
  assert.ok(received < 32 * 1024 * 1024, `got ${received} bytes`);
  await assert.rejects(fetch(`http://127.0.0.1:${f.port}/`));
});
