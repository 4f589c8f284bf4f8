import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import fc from "fast-check";
import { configErrorMessage as message } from "../../test/helpers/config-errors.js";
import { raisesOnly, wordSoup } from "../../test/helpers/fuzz.js";
import { ConfigError } from "./config-error.js";
import { loadNginxConfig, type NginxLoadOptions, parseNginxConfigText } from "./nginx-schema.js";

const F = "/etc/onair/onair.conf";
const P: NginxLoadOptions = { prefix: "/srv/onair" };
const parse = (text: string, opts = P) => parseNginxConfigText(text, F, opts);

function tmp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "onair-conf-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("defaults when the file sets nothing", () => {
  const c = parse("");
  assert.equal(c.workerProcesses, 1);
  assert.equal(c.workerConnections, 512);
  assert.equal(c.daemon, false);
  assert.equal(c.masterProcess, true);
  assert.deepEqual(c.errorLog, [{ path: "/srv/onair/logs/error.log", level: "error" }]);
  assert.equal(c.pid, "/srv/onair/logs/onair.pid");
  assert.equal(c.rtmp, null);
  assert.equal(c.http, null);
});

test("rtmp: server and application defaults as nginx-rtmp, ours as documented", () => {
  const c = parse("rtmp { server { application a { } } }");
  const s = c.rtmp!.servers[0];
  assert.deepEqual(
    [s.listen, s.chunkSize, s.ping, s.pingTimeout, s.timeout, s.maxConnections, s.maxMessage],
    [[], 4096, 60_000, 30_000, 60_000, null, 1048576],
  );
  const a = s.applications[0];
  assert.deepEqual(
    [a.live, a.record, a.hls, a.hlsPath, a.hlsFragment, a.hlsPlaylistLength, a.hlsMaxFragment],
    [false, [], false, null, 5000, 30_000, 50_000],
  );
  assert.deepEqual(
    [
      a.hlsNested,
      a.hlsCleanup,
      a.hlsContinuous,
      a.hlsFragmentNaming,
      a.hlsEndlist,
      a.publishReplace,
      a.gopCacheSize,
    ],
    [false, true, true, "sequential", true, false, 8 * 1024 * 1024],
  );
  assert.deepEqual(
    [a.recordSuffix, a.recordUnique, a.recordAppend, a.dropIdlePublisher],
    [".flv", false, false, null],
  );
});

test("rtmp: application settings inherit from server and rtmp levels (nginx-rtmp merge)", () => {
  const c = parse(`rtmp {
    hls on; hls_fragment 2s; chunk_size 8k;
    server {
      listen 127.0.0.1:1936; listen 1935;
      hls_path data/hls; allow play all; deny publish all;
      application a { hls_fragment 4s; }
      application b { deny play 10.0.0.0/8; allow play all; record audio keyframes; record_path /rec; }
    }
  }`);
  const s = c.rtmp!.servers[0];
  assert.equal(s.chunkSize, 8192);
  assert.deepEqual(s.listen, [
    { host: "127.0.0.1", port: 1936 },
    { host: null, port: 1935 },
  ]);
  const [a, b] = s.applications;
  assert.equal(a.hls, true);
  assert.equal(a.hlsFragment, 4000);
  assert.equal(a.hlsMaxFragment, 40_000);
  assert.equal(b.hlsFragment, 2000);
  assert.equal(a.hlsPath, "/srv/onair/data/hls");
  assert.deepEqual(
    a.access.map((r) => [r.action, r.what, r.from]),
    [
      ["allow", "play", "all"],
      ["deny", "publish", "all"],
    ],
  );
  // b has its own rules: the server's are not inherited (nginx-rtmp array merge).
  assert.deepEqual(
    b.access.map((r) => [r.action, r.what, r.from]),
    [
      ["deny", "play", "10.0.0.0/8"],
      ["allow", "play", "all"],
    ],
  );
  assert.deepEqual(b.record, ["audio", "keyframes"]);
  assert.equal(b.recordPath, "/rec");
});

test("our directives: hls_endlist, publish_replace, gop_cache_size, hls_max_fragment", () => {
  const c = parse(
    "rtmp { server { application a { hls_endlist off; publish_replace on; gop_cache_size 2m; hls_max_fragment 12s; } } }",
  );
  const a = c.rtmp!.servers[0].applications[0];
  assert.deepEqual(
    [a.hlsEndlist, a.publishReplace, a.gopCacheSize, a.hlsMaxFragment],
    [false, true, 2 * 1024 * 1024, 12_000],
  );
});

test("http: root/index/types/add_header/default_type inheritance as nginx", () => {
  const c = parse(`http {
    root www; index a.html; default_type text/plain; add_header X-A 1;
    types { text/html html; }
    server {
      listen 8080; add_header X-S 2 always; root /var/www;
      location /one { }
      location = /two { add_header X-L 3; types { } default_type application/x; index b.html c.html; }
      location ^~ /three { alias /data/three; }
    }
    server { location / { } }
  }`);
  const [s1, s2] = c.http!.servers;
  const [one, two, three] = s1.locations;
  assert.deepEqual([one.root, one.index, one.defaultType], ["/var/www", ["a.html"], "text/plain"]);
  // add_header at a level replaces every inherited one.
  assert.deepEqual(one.addHeaders, [{ name: "X-S", value: "2", always: true }]);
  assert.deepEqual(two.addHeaders, [{ name: "X-L", value: "3", always: false }]);
  assert.deepEqual([...one.types], [["html", "text/html"]]);
  assert.deepEqual([...two.types], []);
  assert.deepEqual(
    [two.modifier, two.path, two.defaultType, two.index],
    ["=", "/two", "application/x", ["b.html", "c.html"]],
  );
  assert.deepEqual([three.modifier, three.alias, three.root], ["^~", "/data/three", "/var/www"]);
  assert.equal(s2.locations[0].root, "/srv/onair/www");
  assert.deepEqual(s2.locations[0].addHeaders, [{ name: "X-A", value: "1", always: false }]);
  // No listen: nginx's *:80 as root, *:8000 otherwise.
  assert.equal(s2.listen[0].port, process.getuid?.() === 0 ? 80 : 8000);
});

test("http without any types block gets nginx's three built-in types", () => {
  const c = parse("http { server { location / { } } }");
  assert.deepEqual([...c.http!.types.keys()], ["html", "gif", "jpg"]);
});

test("-g directives are parsed first; a repeat in the file is a duplicate at its line", () => {
  const c = parse("worker_processes 2;", { prefix: "/p", extraDirectives: "daemon on; pid /run/x.pid;" });
  assert.equal(c.daemon, true);
  assert.equal(c.pid, "/run/x.pid");
  assert.equal(
    message(() => parse("\ndaemon off;", { ...P, extraDirectives: "daemon on;" })),
    `"daemon" directive is duplicate in ${F}:2`,
  );
  assert.equal(
    message(() => parse("", { ...P, extraDirectives: "bogus 1;" })),
    'unknown directive "bogus" in command line',
  );
  assert.equal(
    message(() => parse("", { ...P, extraDirectives: "daemon off" })),
    'unexpected end of parameter, expecting ";" in command line',
  );
});

test("include: globs relative to the including file's folder, sorted, empty glob is fine", (t) => {
  const dir = tmp(t);
  mkdirSync(join(dir, "conf.d"));
  mkdirSync(join(dir, "conf.d", "apps"));
  writeFileSync(join(dir, "main.conf"), "rtmp { server { include conf.d/*.conf; include none/*.conf; } }\n");
  writeFileSync(join(dir, "conf.d", "b.conf"), "application b { include apps/b.inc; }\n");
  writeFileSync(join(dir, "conf.d", "a.conf"), "application a { }\n");
  writeFileSync(join(dir, "conf.d", ".hidden.conf"), "bogus;\n");
  writeFileSync(join(dir, "conf.d", "apps", "b.inc"), "live on;\n");
  const c = loadNginxConfig(join(dir, "main.conf"), P);
  const apps = c.rtmp!.servers[0].applications;
  assert.deepEqual(
    apps.map((a) => [a.name, a.live, a.pos.file]),
    [
      ["a", false, join(dir, "conf.d", "a.conf")],
      ["b", true, join(dir, "conf.d", "b.conf")],
    ],
  );
});

test("include: a file including itself stops with an error, not a crash", (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, "loop.conf"), "include loop.conf;\n");
  assert.equal(
    message(() => loadNginxConfig(join(dir, "loop.conf"), P)),
    `include nesting too deep "loop.conf" in ${join(dir, "loop.conf")}:1`,
  );
});

test("include mime.types falls back to onair's own conf/ when missing beside the file", (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, "n.conf"), "http { include mime.types; }\n");
  const c = loadNginxConfig(join(dir, "n.conf"), P);
  assert.equal(c.http!.types.get("ts"), "video/mp2t");
  assert.equal(c.http!.types.get("m3u8"), "application/vnd.apple.mpegurl");
});

test("a UTF-8 byte order mark at the start of a file is skipped", (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, "bom.conf"), "\ufeffdaemon on;\n");
  assert.equal(loadNginxConfig(join(dir, "bom.conf"), P).daemon, true);
});

test("the main file missing: nginx's open() message without a position", () => {
  assert.equal(
    message(() => loadNginxConfig("/nonexistent/onair.conf", P)),
    'open() "/nonexistent/onair.conf" failed (2: No such file or directory)',
  );
});

const directiveish = wordSoup([
  "rtmp",
  "http",
  "server",
  "application",
  "location",
  "listen",
  "hls",
  "on",
  "off",
  "3s",
  "4k",
  "types",
  "root",
  "/x",
  "=",
  "{",
  "}",
  ";",
  " ",
  "\n",
  "allow",
  "publish",
  "all",
  "record",
  "add_header",
  "alias",
  '"',
]);

test("property: the nginx schema throws nothing but ConfigError on any input", () => {
  fc.assert(fc.property(directiveish, raisesOnly(ConfigError, parse)), { numRuns: 3000 });
});

test("rtmp: flush_interval (ours) defaults to 200ms, is set once at rtmp level, bounded to 0..1s", () => {
  assert.equal(parse("rtmp { server { } }").rtmp!.flushInterval, 200);
  assert.equal(parse("rtmp { flush_interval 0; server { } }").rtmp!.flushInterval, 0);
  assert.equal(parse("rtmp { flush_interval 250ms; }").rtmp!.flushInterval, 250);
  assert.equal(parse("rtmp { flush_interval 1s; }").rtmp!.flushInterval, 1000);
  assert.equal(
    message(() => parse("rtmp {\n flush_interval 2s;\n}")),
    `"flush_interval" directive value must be between 0 and 1000 in ${F}:2`,
  );
  assert.match(
    message(() => parse("rtmp { server {\n flush_interval 50ms;\n} }")),
    /"flush_interval" directive is not allowed here in .*:2/,
  );
});
