import assert from "node:assert/strict";
import { test } from "node:test";
import { makeConfig, makeInstance, makeScript } from "../../../test/vrrp-health-fixtures.js";
import { TrackingModel } from "./tracking.js";
import {
  analyzeWeightWarnings,
  healthConfigWarnings,
  smtpAlertWarnings,
  stuckMasterWarning,
} from "./tracking-warning.js";

function guide(weight: number, priority = 150) {
  return makeConfig(
    [makeInstance("VI_1", { priority, trackScript: [{ name: "chk_nginx", weight: null }] })],
    [makeScript("chk_nginx", { script: "/usr/local/bin/check_nginx.sh", interval: 2000, weight })],
  );
}

test("the guide's weight -20 with priorities 150/100 warns", () => {
  const w = analyzeWeightWarnings(guide(-20));
  assert.equal(w.length, 1);
  assert.equal(w[0]!.instance, "VI_1");
  assert.equal(w[0]!.track, "chk_nginx");
  assert.match(w[0]!.message, /keepalived\.conf:10: /);
  assert.match(w[0]!.message, /lowers priority 150 only to 130, not below 100/);
  assert.match(w[0]!.message, /use weight -51 or lower/);
});

test("weight -51 (to 99) does not warn; -50 (a tie at 100) does", () => {
  assert.deepEqual(analyzeWeightWarnings(guide(-51)), []);
  assert.equal(analyzeWeightWarnings(guide(-50)).length, 1);
});

test("weight 0 (FAULT) never warns; the backup node (priority 100) is not analysed", () => {
  assert.deepEqual(analyzeWeightWarnings(guide(0)), []);
  assert.deepEqual(analyzeWeightWarnings(guide(-20, 100)), []);
});

test("a positive weight that cannot cover the gap warns", () => {
  const w = analyzeWeightWarnings(guide(20));
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /use weight 51 or more/);
  assert.deepEqual(analyzeWeightWarnings(guide(60)), []);
});

test("the backup priority comes from the same file (same VRID) or the option", () => {
  const cfg = guide(-20);
  cfg.instances.push(makeInstance("VI_B", { priority: 120 }));
  const w = analyzeWeightWarnings(cfg);
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /not below 120 of vrrp_instance VI_B/);
  cfg.instances[1]!.priority = 140; // 130 < 140: this weight does move the VIP
  assert.deepEqual(analyzeWeightWarnings(cfg), []);
  assert.deepEqual(analyzeWeightWarnings(guide(-20), { backupPriority: 135 }), []);
});

test("an address owner with weights warns that they do nothing", () => {
  const w = analyzeWeightWarnings(guide(-20, 255));
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /address owner/);
});

test("track_interface weights are analysed too", () => {
  const cfg = makeConfig([makeInstance("VI_1", { trackInterface: [{ name: "eth1", weight: -10 }] })]);
  const w = analyzeWeightWarnings(cfg);
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /track_interface eth1 weight -10/);
});

test("run time: one line when a failing check leaves the master above the peer it hears", () => {
  const m = new TrackingModel(guide(-20), { trackPrimaryInterface: false });
  m.recordScript("chk_nginx", false);
  const v = m.verdict("VI_1");
  const line = stuckMasterWarning(v, "MASTER", { priority: 100, address: "198.18.0.12" });
  assert.ok(line);
  assert.match(
    line,
    /\(VI_1\) vrrp_script chk_nginx \(weight -20\) failing but still MASTER at priority 130/,
  );
  assert.match(line, /heard from 198\.18\.0\.12/);
  assert.equal(stuckMasterWarning(v, "BACKUP", { priority: 100, address: null }), null);
  assert.equal(stuckMasterWarning(v, "MASTER", { priority: 130, address: null }), null);
  const m2 = new TrackingModel(guide(-51), { trackPrimaryInterface: false });
  m2.recordScript("chk_nginx", false);
  assert.equal(stuckMasterWarning(m2.verdict("VI_1"), "MASTER", { priority: 100, address: null }), null);
});

test("mail configured without smtp_alert (the guide's section C.4) warns; smtp_alert without a server warns", () => {
  const mail = {
    notificationEmail: ["admin@example.com"],
    smtpServer: { host: "127.0.0.1", port: 25 },
    pos: { file: "/etc/keepalived/keepalived.conf", line: 1 },
  };
  const quiet = makeConfig([makeInstance("VI_1")], [], mail);
  assert.equal(smtpAlertWarnings(quiet).length, 1);
  assert.match(
    smtpAlertWarnings(quiet)[0]!,
    /^\/etc\/keepalived\/keepalived\.conf:1: .*no vrrp_instance has smtp_alert/,
  );
  assert.deepEqual(smtpAlertWarnings(makeConfig([makeInstance("VI_1", { smtpAlert: true })], [], mail)), []);
  assert.deepEqual(
    smtpAlertWarnings(makeConfig([makeInstance("VI_1")], [], { ...mail, smtpAlert: true })),
    [],
  );
  const nowhere = makeConfig([makeInstance("VI_1", { smtpAlert: true })]);
  assert.match(
    smtpAlertWarnings(nowhere)[0]!,
    /smtp_alert is on for VI_1 but global_defs has no smtp_server/,
  );
  assert.deepEqual(smtpAlertWarnings(makeConfig([makeInstance("VI_1")])), []);
  const all = healthConfigWarnings(
    makeConfig(
      [makeInstance("VI_1", { trackScript: [{ name: "c", weight: -20 }] })],
      [makeScript("c")],
      mail,
    ),
  );
  assert.equal(all.length, 2);
});
