/**
 * The guide's files, copied verbatim into test/fixtures/config/, parse into
 * the expected typed values (issue 2, "Done when" point 1).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  defaultConfigPath,
  loadKeepalivedConfig,
  loadNginxConfig,
  projectPrefix,
  type VrrpInstanceConfig,
} from "../src/config/index.js";
import { projectRoot } from "./helpers/env.js";

const FIX = join(projectRoot, "test", "fixtures", "config");
const fx = (name: string) => join(FIX, name);

test("guide nginx.conf: main, events, rtmp and http blocks with the guide's meaning", () => {
  const prefix = "/usr/local/nginx";
  const c = loadNginxConfig(fx("guide-nginx.conf"), { prefix });
  assert.equal(c.file, fx("guide-nginx.conf"));
  // `include mime.types;` finds onair's own conf/mime.types (none beside the guide's file).
  assert.deepEqual(c.files, [fx("guide-nginx.conf"), join(projectRoot, "conf", "mime.types")]);
  assert.equal(c.prefix, prefix);
  assert.equal(c.workerProcesses, "auto");
  assert.equal(c.workerConnections, 1024);
  assert.deepEqual(c.errorLog, [{ path: "/usr/local/nginx/logs/error.log", level: "error" }]);
  assert.equal(c.pid, "/usr/local/nginx/logs/onair.pid");

  assert.ok(c.rtmp);
  assert.equal(c.rtmp.servers.length, 1);
  const srv = c.rtmp.servers[0];
  assert.deepEqual(srv.listen, [{ host: null, port: 1935 }]);
  assert.equal(srv.chunkSize, 4096);
  assert.equal(srv.applications.length, 1);
  const app = srv.applications[0];
  assert.equal(app.name, "live");
  assert.equal(app.live, true);
  assert.deepEqual(app.record, []);
  assert.equal(app.hls, true);
  assert.equal(app.hlsPath, "/var/www/html/hls");
  assert.equal(app.hlsFragment, 3000);
  assert.equal(app.hlsPlaylistLength, 60_000);
  assert.equal(app.hlsMaxFragment, 30_000);
  assert.equal(app.hlsEndlist, true);
  assert.equal(app.publishReplace, false);
  assert.equal(app.gopCacheSize, 8 * 1024 * 1024);
  assert.deepEqual(app.pos, { file: fx("guide-nginx.conf"), line: 15 });

  assert.ok(c.http);
  const h = c.http;
  assert.equal(h.types.get("m3u8"), "application/vnd.apple.mpegurl");
  assert.equal(h.types.get("html"), "text/html");
  assert.equal(h.types.get("js"), "application/javascript");
  assert.equal(h.defaultType, "application/octet-stream");
  assert.equal(h.sendfile, true);
  assert.equal(h.keepaliveTimeout, 65_000);
  assert.deepEqual(h.accessLog, { path: "/usr/local/nginx/logs/access.log", format: "combined" });
  assert.equal(h.servers.length, 1);
  const s = h.servers[0];
  assert.deepEqual(s.listen, [{ host: null, port: 80 }]);
  assert.deepEqual(s.serverName, ["localhost"]);
  const [hls, root] = s.locations;
  assert.equal(hls.path, "/hls");
  assert.equal(hls.modifier, "");
  // A location's own `types {}` replaces the inherited table, as in nginx.
  assert.deepEqual(
    [...hls.types],
    [
      ["m3u8", "application/vnd.apple.mpegurl"],
      ["ts", "video/mp2t"],
    ],
  );
  assert.equal(hls.root, "/var/www/html");
  assert.equal(hls.alias, null);
  assert.equal(hls.defaultType, "application/octet-stream");
  assert.deepEqual(hls.addHeaders, [
    { name: "Cache-Control", value: "no-cache", always: false },
    { name: "Access-Control-Allow-Origin", value: "*", always: false },
  ]);
  assert.equal(root.path, "/");
  assert.equal(root.root, "/usr/local/nginx/html");
  assert.deepEqual(root.index, ["index.html"]);
  assert.deepEqual(root.addHeaders, []);
  assert.equal(root.types.get("css"), "text/css");
});

function guideInstance(i: VrrpInstanceConfig, state: "MASTER" | "BACKUP", priority: number): void {
  assert.equal(i.name, "VI_1");
  assert.equal(i.state, state);
  assert.equal(i.interface, "ens33");
  assert.equal(i.virtualRouterId, 51);
  assert.equal(i.priority, priority);
  assert.equal(i.advertInt, 1000);
  assert.equal(i.version, 2);
  // keepalived uses only the first 8 characters of auth_pass.
  assert.deepEqual(i.auth, { type: "PASS", pass: "mysecret" });
  assert.deepEqual(i.virtualIpaddress, [{ address: "192.168.1.100", prefixLen: 24, dev: null }]);
  assert.equal(i.garpMasterDelay, 5000);
  assert.equal(i.garpMasterRepeat, 5);
  assert.equal(i.nopreempt, false);
}

test("guide keepalived.conf, master: typed values and keepalived's auth_pass warning", () => {
  const c = loadKeepalivedConfig(fx("guide-keepalived-master.conf"));
  assert.equal(c.instances.length, 1);
  guideInstance(c.instances[0], "MASTER", 150);
  assert.deepEqual(c.warnings, [
    `(${fx("guide-keepalived-master.conf")}: Line 10) Truncating auth_pass to 8 characters`,
  ]);
  assert.equal(c.globalDefs.vrrpVersion, 2);
  assert.equal(c.globalDefs.smtpConnectTimeout, 30_000);
  assert.equal(c.scripts.size, 0);
});

test("guide keepalived.conf, backup", () => {
  const c = loadKeepalivedConfig(fx("guide-keepalived-backup.conf"));
  assert.equal(c.instances.length, 1);
  guideInstance(c.instances[0], "BACKUP", 100);
  assert.equal(c.warnings.length, 1);
});

test("guide keepalived.conf with vrrp_script chk_nginx and track_script", () => {
  const c = loadKeepalivedConfig(fx("guide-keepalived-check.conf"));
  const s = c.scripts.get("chk_nginx");
  assert.ok(s);
  assert.equal(s.script, "/usr/local/bin/check_nginx.sh");
  assert.equal(s.httpCheck, null);
  assert.equal(s.interval, 2000);
  assert.equal(s.timeout, 2000);
  assert.equal(s.weight, -20);
  assert.equal(s.rise, 1);
  assert.equal(s.fall, 1);
  guideInstance(c.instances[0], "MASTER", 150);
  assert.deepEqual(c.instances[0].trackScript, [{ name: "chk_nginx", weight: null }]);
});

test("guide global_defs mail settings and notify scripts (verbatim snippet)", () => {
  const file = fx("guide-keepalived-notify.conf");
  const c = loadKeepalivedConfig(file);
  const g = c.globalDefs;
  assert.deepEqual(g.notificationEmail, ["admin@example.com", "ops@example.com"]);
  assert.equal(g.notificationEmailFrom, "keepalived@node1");
  assert.deepEqual(g.smtpServer, { host: "127.0.0.1", port: 25 });
  assert.equal(g.smtpConnectTimeout, 30_000);
  // The snippet's instance stands for "the existing configuration": without a
  // virtual_router_id keepalived drops it with a message and so does onair.
  assert.deepEqual(c.instances, []);
  assert.deepEqual(c.warnings, [
    `(${file}: Line 11) (VI_1) the virtual router id must be set - removing instance`,
  ]);
});

test("guide files combined: global_defs mail + chk_nginx + notify scripts in the instance", () => {
  const c = loadKeepalivedConfig(fx("guide-keepalived-full.conf"));
  assert.deepEqual(c.globalDefs.notificationEmail, ["admin@example.com", "ops@example.com"]);
  const i = c.instances[0];
  guideInstance(i, "MASTER", 150);
  assert.equal(i.notifyMaster, "/usr/local/bin/notify_master.sh");
  assert.equal(i.notifyBackup, "/usr/local/bin/notify_backup.sh");
  assert.equal(i.notifyFault, "/usr/local/bin/notify_fault.sh");
  assert.equal(i.notifyStop, null);
  assert.deepEqual(i.trackScript, [{ name: "chk_nginx", weight: null }]);
});

test("built-in default config: RTMP 1935, HTTP 8080, HLS under the prefix, logs and pid", () => {
  const prefix = projectPrefix();
  assert.equal(defaultConfigPath(), join(prefix, "conf", "onair.conf"));
  const c = loadNginxConfig(defaultConfigPath(), { prefix: "/srv/onair" });
  assert.deepEqual(c.rtmp?.servers[0].listen, [{ host: null, port: 1935 }]);
  const app = c.rtmp?.servers[0].applications[0];
  assert.equal(app?.name, "live");
  assert.equal(app?.hlsPath, "/srv/onair/data/hls");
  const s = c.http?.servers[0];
  assert.deepEqual(s?.listen, [{ host: null, port: 8080 }]);
  const hls = s?.locations.find((l) => l.path === "/hls");
  // /hls/test.m3u8 → root + uri = /srv/onair/data/hls/test.m3u8
  assert.equal(hls?.root, "/srv/onair/data");
  assert.equal(hls?.types.get("m3u8"), "application/vnd.apple.mpegurl");
  const slash = s?.locations.find((l) => l.path === "/");
  assert.equal(slash?.root, "/srv/onair/html");
  assert.deepEqual(slash?.index, ["index.html"]);
  assert.deepEqual(c.errorLog, [{ path: "/srv/onair/logs/error.log", level: "error" }]);
  assert.equal(c.pid, "/srv/onair/logs/onair.pid");
  assert.deepEqual(c.http?.accessLog, { path: "/srv/onair/logs/access.log", format: "combined" });
});
