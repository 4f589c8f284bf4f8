/**
 * attachTracking with real check scripts (their verdict flipped through a
 * flag file), a real HTTP check and interface state read from a sysfs-shaped
 * folder, against a recording daemon hook object: priority deltas, FAULT and
 * back, the run-time warning line.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { readLinkUp } from "../src/server/vrrp/interface-monitor.js";
import { attachTracking, heardPeer, type VrrpStateEvent } from "../src/server/vrrp/tracker.js";
import { memoryLogger } from "../src/util/logger.js";
import { tempDir, waitFor } from "./helpers/env.js";
import { makeConfig, makeInstance, makeScript } from "./vrrp-health-fixtures.js";

class RecordingDaemon {
  deltas: [string, number][] = [];
  faults: [string, string | null][] = [];
  listeners: ((ev: VrrpStateEvent) => void)[] = [];
  statusValue: unknown = [];
  setTrackedPriority(instance: string, delta: number) {
    this.deltas.push([instance, delta]);
  }
  setFault(instance: string, reason: string | null) {
    this.faults.push([instance, reason]);
  }
  on(_event: "state", fn: (ev: VrrpStateEvent) => void) {
    this.listeners.push(fn);
  }
  status() {
    return this.statusValue;
  }
  emit(ev: VrrpStateEvent) {
    for (const l of this.listeners) l(ev);
  }
}

/** A check that fails while `flag` exists. */
function flagScript(dir: string, flag: string): string {
  const p = join(dir, "check.sh");
  writeFileSync(p, `#!/bin/sh\n[ -e "${flag}" ] && exit 1\nexit 0\n`);
  chmodSync(p, 0o755);
  return p;
}

test("weight -20: failing lowers the delta, the warning is logged once while MASTER, recovery restores", async (t) => {
  const dir = tempDir(t);
  const flag = join(dir, "down");
  const inst = makeInstance("VI_1", { trackScript: [{ name: "chk_nginx", weight: null }] });
  const cfg = makeConfig(
    [inst],
    [
      makeScript("chk_nginx", {
        script: flagScript(dir, flag),
        interval: 100,
        weight: -20,
        fall: 2,
        rise: 2,
      }),
    ],
  );
  const d = new RecordingDaemon();
  const log = memoryLogger();
  const h = attachTracking(d, cfg, log);
  t.after(() => h.stop());
  await waitFor(() => log.lines.some((l) => l.includes("VRRP_Script(chk_nginx) succeeded")), 3000);
  assert.deepEqual(d.deltas, []); // healthy: nothing to change
  d.emit({ instance: inst, from: "BACKUP", to: "MASTER", priority: 150, reason: "test" });
  writeFileSync(flag, "");
  await waitFor(() => d.deltas.length === 1, 3000, "delta -20");
  assert.deepEqual(d.deltas, [["VI_1", -20]]);
  assert.ok(log.lines.some((l) => l.includes("[warn] VRRP_Script(chk_nginx) failed: exit status 1")));
  const warnings = () => log.lines.filter((l) => l.includes("failing but still MASTER"));
  await waitFor(() => warnings().length === 1, 2000, "stuck-master warning");
  assert.match(warnings()[0]!, /at priority 130, above the priority 100 assumed for the backup/);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(warnings().length, 1, "logged once per episode");
  rmSync(flag);
  await waitFor(() => d.deltas.length === 2, 3000, "delta back to 0");
  assert.deepEqual(d.deltas[1], ["VI_1", 0]);
  assert.deepEqual(d.faults, []);
});

test("weight 0: FAULT and back; the peer's priority comes from status() when exposed", async (t) => {
  const dir = tempDir(t);
  const flag = join(dir, "down");
  writeFileSync(flag, "");
  const inst = makeInstance("VI_1", { trackScript: [{ name: "chk", weight: null }] });
  const cfg = makeConfig([inst], [makeScript("chk", { script: flagScript(dir, flag), interval: 100 })]);
  const d = new RecordingDaemon();
  const h = attachTracking(d, cfg, memoryLogger());
  t.after(() => h.stop());
  await waitFor(() => d.faults.length === 1, 3000);
  assert.deepEqual(d.faults[0], ["VI_1", "vrrp_script chk failed"]);
  rmSync(flag);
  await waitFor(() => d.faults.length === 2, 3000);
  assert.deepEqual(d.faults[1], ["VI_1", null]);
  assert.deepEqual(heardPeer([{ name: "VI_1", masterPriority: 100, master: "198.18.0.12" }], "VI_1"), {
    priority: 100,
    address: "198.18.0.12",
  });
  assert.equal(heardPeer([{ name: "VI_1", master: null }], "VI_1"), null);
});

test("a hung check counts as a failure at its timeout", async (t) => {
  const dir = tempDir(t);
  const p = join(dir, "hang.sh");
  writeFileSync(p, "#!/bin/sh\nsleep 30\n");
  chmodSync(p, 0o755);
  const inst = makeInstance("VI_1", { trackScript: [{ name: "hang", weight: -60 }] });
  const cfg = makeConfig([inst], [makeScript("hang", { script: p, interval: 1000, timeout: 300 })]);
  const d = new RecordingDaemon();
  const log = memoryLogger();
  const t0 = performance.now();
  const h = attachTracking(d, cfg, log);
  t.after(() => h.stop());
  await waitFor(() => d.deltas.length === 1, 3000);
  const took = performance.now() - t0;
  assert.ok(took >= 280 && took < 1500, `took ${took}`);
  assert.deepEqual(d.deltas[0], ["VI_1", -60]);
  assert.ok(log.lines.some((l) => /VRRP_Script\(hang\) timed out: timed out after 300 ms/.test(l)));
});

test("positive weight via the built-in HTTP check", async (t) => {
  let healthy = true;
  const srv = createServer((_q, res) => {
    res.statusCode = healthy ? 200 : 500;
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  t.after(() => srv.close());
  const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/`;
  const inst = makeInstance("VI_1", { priority: 100, trackScript: [{ name: "web", weight: null }] });
  const cfg = makeConfig(
    [inst],
    [
      makeScript("web", {
        script: null,
        httpCheck: { url, status: 200, timeout: 500 },
        interval: 100,
        weight: 50,
      }),
    ],
  );
  const d = new RecordingDaemon();
  const h = attachTracking(d, cfg, memoryLogger());
  t.after(() => h.stop());
  await waitFor(() => d.deltas.length === 1, 3000);
  assert.deepEqual(d.deltas[0], ["VI_1", 50]);
  healthy = false;
  await waitFor(() => d.deltas.length === 2, 3000);
  assert.deepEqual(d.deltas[1], ["VI_1", 0]);
});

test("track_interface: down puts the instance in FAULT until it comes back", async (t) => {
  const sys = tempDir(t);
  const setLink = (name: string, up: boolean) => {
    mkdirSync(join(sys, name), { recursive: true });
    writeFileSync(join(sys, name, "flags"), up ? "0x1003\n" : "0x1002\n");
    writeFileSync(join(sys, name, "operstate"), up ? "up\n" : "down\n");
  };
  setLink("eth1", true);
  assert.equal(readLinkUp("eth1", sys), true);
  assert.equal(readLinkUp("nope", sys), false);
  assert.equal(readLinkUp("../etc", sys), false);
  const inst = makeInstance("VI_1", { trackInterface: [{ name: "eth1", weight: null }] });
  const d = new RecordingDaemon();
  const h = attachTracking(d, makeConfig([inst]), memoryLogger(), { sysClassNet: sys, linkPollMs: 20 });
  t.after(() => h.stop());
  assert.deepEqual(d.faults, []);
  setLink("eth1", false);
  await waitFor(() => d.faults.length === 1, 2000);
  assert.deepEqual(d.faults[0], ["VI_1", "interface eth1 down"]);
  setLink("eth1", true);
  await waitFor(() => d.faults.length === 2, 2000);
  assert.deepEqual(d.faults[1], ["VI_1", null]);
});
