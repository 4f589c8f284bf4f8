import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { configErrorMessage as message } from "../../test/helpers/config-errors.js";
import { raisesOnly, wordSoup } from "../../test/helpers/fuzz.js";
import { ConfigError } from "./config-error.js";
import { loadKeepalivedConfig, parseKeepalivedConfigText } from "./keepalived-schema.js";

const F = "/etc/keepalived/keepalived.conf";
const parse = (text: string) => parseKeepalivedConfigText(text, F);
const MIN = "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 7\n}\n";

test("keepalived's defaults", () => {
  const c = parse(MIN);
  const g = c.globalDefs;
  assert.deepEqual(
    [g.routerId, g.smtpConnectTimeout, g.vrrpVersion, g.enableScriptSecurity, g.smtpServer, g.pos],
    [hostname(), 30_000, 2, false, null, null],
  );
  const i = c.instances[0];
  assert.deepEqual(
    [i.state, i.priority, i.advertInt, i.version, i.auth, i.garpMasterDelay, i.garpMasterRepeat],
    ["BACKUP", 100, 1000, 2, null, 5000, 5],
  );
  assert.deepEqual(
    [
      i.garpMasterRefresh,
      i.garpMasterRefreshRepeat,
      i.higherPrioSendAdvert,
      i.nopreempt,
      i.preemptDelay,
      i.smtpAlert,
    ],
    [0, 1, false, false, 0, null],
  );
  assert.deepEqual(c.warnings, []);
});

test("every instance keyword with its value", () => {
  const c = parse(`global_defs {
  router_id node1
  vrrp_version 3
  script_user nobody nogroup
  enable_script_security
  smtp_server mail.example.com 2525
  smtp_alert
}
vrrp_script web {
  http_check http://127.0.0.1:8080/hls/ status 204 timeout 1.5
  interval 0.5
  weight 30 reverse
  rise 2
  fall 3
  user www-data
}
vrrp_instance VI_2 {
  state MASTER
  interface eth1
  virtual_router_id 200
  priority 255
  advert_int 0.25
  authentication {
    auth_type AH
    auth_pass 12345678
  }
  virtual_ipaddress {
    198.18.0.10/24 dev eth2
    2001:db8::1/64
    198.18.0.11
  }
  track_script {
    web weight -10
  }
  track_interface {
    eth3
    eth4 weight 5
  }
  notify /usr/bin/notify arg
  notify_stop "/bin/stop now"
  smtp_alert false
  nopreempt
  preempt_delay 2.5
  unicast_src_ip 198.18.0.1
  unicast_peer {
    198.18.0.2
    198.18.0.3
  }
  garp_master_delay 2
  garp_master_repeat 3
  garp_master_refresh 60
  garp_master_refresh_repeat 2
  higher_prio_send_advert
}
`);
  const g = c.globalDefs;
  assert.deepEqual(
    [g.routerId, g.vrrpVersion, g.scriptUser, g.enableScriptSecurity, g.smtpServer, g.smtpAlert],
    ["node1", 3, { user: "nobody", group: "nogroup" }, true, { host: "mail.example.com", port: 2525 }, true],
  );
  const s = c.scripts.get("web")!;
  assert.deepEqual(
    [s.script, s.httpCheck, s.interval, s.timeout, s.weight, s.rise, s.fall, s.user],
    [
      null,
      { url: "http://127.0.0.1:8080/hls/", status: 204, timeout: 1500 },
      500,
      500,
      -30,
      2,
      3,
      { user: "www-data", group: null },
    ],
  );
  const i = c.instances[0];
  assert.deepEqual(
    [i.name, i.state, i.interface, i.virtualRouterId, i.priority, i.advertInt, i.version],
    ["VI_2", "MASTER", "eth1", 200, 255, 250, 3],
  );
  assert.deepEqual(i.auth, { type: "AH", pass: "12345678" });
  assert.deepEqual(i.virtualIpaddress, [
    { address: "198.18.0.10", prefixLen: 24, dev: "eth2" },
    { address: "2001:db8::1", prefixLen: 64, dev: null },
    { address: "198.18.0.11", prefixLen: 32, dev: null },
  ]);
  assert.deepEqual(i.trackScript, [{ name: "web", weight: -10 }]);
  assert.deepEqual(i.trackInterface, [
    { name: "eth3", weight: null },
    { name: "eth4", weight: 5 },
  ]);
  assert.deepEqual(
    [i.notify, i.notifyStop, i.smtpAlert, i.nopreempt, i.preemptDelay],
    ["/usr/bin/notify arg", "/bin/stop now", false, true, 2500],
  );
  assert.deepEqual([i.unicastSrcIp, i.unicastPeer], ["198.18.0.1", ["198.18.0.2", "198.18.0.3"]]);
  assert.deepEqual(
    [
      i.garpMasterDelay,
      i.garpMasterRepeat,
      i.garpMasterRefresh,
      i.garpMasterRefreshRepeat,
      i.higherPrioSendAdvert,
    ],
    [2000, 3, 60_000, 2, true],
  );
  assert.deepEqual(c.warnings, []);
});

test("a vrrp_script's timeout defaults to its interval; the http_check's to the script's timeout", () => {
  const c = parse(
    "vrrp_script a {\n script /bin/true\n interval 3\n}\nvrrp_script b {\n http_check http://h/\n timeout 4\n}\n",
  );
  assert.equal(c.scripts.get("a")!.timeout, 3000);
  assert.deepEqual(c.scripts.get("b")!.httpCheck, { url: "http://h/", status: 200, timeout: 4000 });
});

test("auth_pass: up to 8 characters quietly, more is truncated with keepalived's warning", () => {
  const ok = parse(
    MIN.replace("}\n", "  authentication {\n    auth_type PASS\n    auth_pass 12345678\n  }\n}\n"),
  );
  assert.deepEqual(ok.warnings, []);
  const long = parse(
    MIN.replace("}\n", "  authentication {\n    auth_type PASS\n    auth_pass 123456789\n  }\n}\n"),
  );
  assert.equal(long.instances[0].auth?.pass, "12345678");
  assert.deepEqual(long.warnings, [`(${F}: Line 6) Truncating auth_pass to 8 characters`]);
});

test("a repeated keyword overrides (keepalived), # and ! comments, braces on one line", () => {
  const c = parse(
    "! a comment\nvrrp_instance VI_1 {\n interface eth0 # trailing\n virtual_router_id 1\n virtual_router_id 2\n virtual_ipaddress { 198.18.0.1 }\n}\n",
  );
  assert.equal(c.instances[0].virtualRouterId, 2);
  assert.deepEqual(c.instances[0].virtualIpaddress, [{ address: "198.18.0.1", prefixLen: 32, dev: null }]);
});

test("track_script may name a vrrp_script defined later in the file", () => {
  const c = parse(
    "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n track_script {\n  later\n }\n}\nvrrp_script later {\n script /bin/true\n}\n",
  );
  assert.deepEqual(c.instances[0].trackScript, [{ name: "later", weight: null }]);
});

test("include with a glob, relative to the including file", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "onair-ka-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "conf.d"));
  writeFileSync(join(dir, "keepalived.conf"), "include conf.d/*.conf\n");
  writeFileSync(join(dir, "conf.d", "1-script.conf"), "vrrp_script s {\n script /bin/true\n}\n");
  writeFileSync(join(dir, "conf.d", "2-vi.conf"), MIN);
  const c = loadKeepalivedConfig(join(dir, "keepalived.conf"));
  assert.equal(c.instances[0].pos.file, join(dir, "conf.d", "2-vi.conf"));
  assert.ok(c.scripts.has("s"));
});

test("bad values give keepalived's wording with file and line", () => {
  const at = (n: number) => ` in ${F}:${n}`;
  assert.equal(
    message(() => parse("vrrp_script s {\n script x\n rise 0\n}\n")),
    `(s): vrrp script rise value '0' invalid${at(3)}`,
  );
  assert.equal(
    message(() => parse("vrrp_script s {\n script x\n interval 0\n}\n")),
    `(s): vrrp script interval must be greater than 0${at(3)}`,
  );
  assert.equal(
    message(() => parse("vrrp_script s {\n script x\n http_check http://h/\n}\n")),
    `vrrp_script s has both script and http_check${at(1)}`,
  );
  assert.equal(
    message(() => parse("vrrp_script s {\n http_check http://h/ status 999\n}\n")),
    `invalid http_check parameter 'status 999'${at(2)}`,
  );
  assert.equal(
    message(() => parse(MIN.replace("}\n", " garp_master_delay x\n}\n"))),
    `(VI_1): garp_master_delay 'x' invalid${at(4)}`,
  );
  assert.equal(
    message(() => parse(MIN.replace("}\n", " version 1\n}\n"))),
    `(VI_1): Version must be either 2 or 3${at(4)}`,
  );
  assert.equal(
    message(() => parse(MIN.replace("}\n", " track_interface {\n  eth0 weight 254\n }\n}\n"))),
    `(VI_1) weight 254 for eth0 must be between [-253..253] inclusive${at(5)}`,
  );
  assert.equal(
    message(() => parse(MIN.replace("}\n", " virtual_ipaddress {\n  198.18.0.1 label x\n }\n}\n"))),
    `Unknown keyword 'label'${at(5)}`,
  );
  assert.equal(
    message(() => parse(MIN.replace("}\n", " unicast_src_ip nowhere\n}\n"))),
    `invalid IP address 'nowhere'${at(4)}`,
  );
  assert.equal(
    message(() => parse("global_defs {\n smtp_connect_timeout 5000\n}\n")),
    `smtp_connect_timeout '5000' must be in [0, 4294]${at(2)}`,
  );
});

const kaish = wordSoup([
  "vrrp_instance",
  "vrrp_script",
  "global_defs",
  "VI_1",
  "interface",
  "virtual_router_id",
  "priority",
  "virtual_ipaddress",
  "track_script",
  "authentication",
  "auth_pass",
  "script",
  "http_check",
  "1",
  "300",
  "198.18.0.1/24",
  "{",
  "}",
  "\n",
  " ",
  "#",
  "!",
  '"',
]);

test("property: the keepalived schema throws nothing but ConfigError on any input", () => {
  fc.assert(fc.property(kaish, raisesOnly(ConfigError, parse)), { numRuns: 3000 });
});
