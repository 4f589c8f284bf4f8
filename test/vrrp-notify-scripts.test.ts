/**
 * Notify scripts with real scripts that append their arguments to a file:
 * keepalived's argument lists, transition order per instance, a failing and a
 * hanging script (killed at the timeout) that never hold up the caller.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { VrrpInstanceConfig } from "../src/config/types.js";
import { attachNotify, notifyJobs } from "../src/server/vrrp/notify/index.js";
import type { VrrpStateEvent } from "../src/server/vrrp/tracker.js";
import { memoryLogger } from "../src/util/logger.js";
import { tempDir } from "./helpers/env.js";
import { makeConfig, makeInstance } from "./vrrp-health-fixtures.js";

const noDaemon = { on() {} };

/** A script that sleeps `delay` seconds, then appends "name:arg1|arg2…" to `out`. */
function recorder(dir: string, name: string, out: string, delay = "0"): string {
  const p = join(dir, name);
  writeFileSync(
    p,
    `#!/bin/sh\nsleep ${delay}\nline="${name}"\nsep=":"\nfor a in "$@"; do line="$line$sep$a"; sep="|"; done\necho "$line" >> "${out}"\n`,
  );
  chmodSync(p, 0o755);
  return p;
}

function ev(instance: VrrpInstanceConfig, from: string, to: string, priority: number): VrrpStateEvent {
  return { instance, from, to, priority, reason: "test" };
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
}

test("notifyJobs: configured arguments, then `notify` with INSTANCE NAME STATE PRIORITY", () => {
  const inst = makeInstance("VI_1", {
    notifyMaster: "/usr/local/bin/notify_master.sh 'first arg' two",
    notify: "/usr/local/bin/notify.sh --via onair",
  });
  assert.deepEqual(notifyJobs(inst, "MASTER", 150), [
    { kind: "notify_master", argv: ["/usr/local/bin/notify_master.sh", "first arg", "two"] },
    {
      kind: "notify",
      argv: ["/usr/local/bin/notify.sh", "--via", "onair", "INSTANCE", "VI_1", "MASTER", "150"],
    },
  ]);
  assert.deepEqual(notifyJobs(inst, "BACKUP", 100), [
    {
      kind: "notify",
      argv: ["/usr/local/bin/notify.sh", "--via", "onair", "INSTANCE", "VI_1", "BACKUP", "100"],
    },
  ]);
  assert.deepEqual(notifyJobs(inst, "INIT", 100), []);
});

test("scripts of one instance run in transition order even when earlier ones are slower", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "calls");
  const inst = makeInstance("VI_1", {
    notifyMaster: `${recorder(dir, "master", out, "0.3")} m1`,
    notifyBackup: recorder(dir, "backup", out, "0"),
    notifyFault: recorder(dir, "fault", out, "0.1"),
    notifyStop: recorder(dir, "stop", out, "0"),
    notify: recorder(dir, "notify", out, "0"),
  });
  const log = memoryLogger();
  const n = attachNotify(noDaemon, makeConfig([inst]), log, { timeoutMs: 5000 });
  t.after(() => n.stop());
  const t0 = performance.now();
  n.onState(ev(inst, "INIT", "BACKUP", 150));
  n.onState(ev(inst, "BACKUP", "MASTER", 150));
  n.onState(ev(inst, "MASTER", "FAULT", 150));
  n.onState(ev(inst, "FAULT", "BACKUP", 150));
  n.onState(ev(inst, "BACKUP", "STOP", 150));
  assert.ok(performance.now() - t0 < 50, "onState returns at once");
  await n.idle(10_000);
  assert.deepEqual(lines(out), [
    "backup",
    "notify:INSTANCE|VI_1|BACKUP|150",
    "master:m1",
    "notify:INSTANCE|VI_1|MASTER|150",
    "fault",
    "notify:INSTANCE|VI_1|FAULT|150",
    "backup",
    "notify:INSTANCE|VI_1|BACKUP|150",
    "stop",
    "notify:INSTANCE|VI_1|STOP|150",
  ]);
  assert.equal(n.counters().notify_run, 10);
});

test("two instances do not wait for each other", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "calls");
  const slow = makeInstance("VI_SLOW", { notifyMaster: recorder(dir, "slow", out, "0.6") });
  const fast = makeInstance("VI_FAST", {
    virtualRouterId: 52,
    notifyMaster: recorder(dir, "fast", out, "0"),
  });
  const n = attachNotify(noDaemon, makeConfig([slow, fast]), memoryLogger(), { timeoutMs: 5000 });
  t.after(() => n.stop());
  n.onState(ev(slow, "BACKUP", "MASTER", 150));
  n.onState(ev(fast, "BACKUP", "MASTER", 150));
  await n.idle(10_000);
  assert.deepEqual(lines(out), ["fast", "slow"]);
});

test("a failing script is logged; a hanging one is killed at the timeout and the queue moves on", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "calls");
  const hang = join(dir, "hang.sh");
  writeFileSync(hang, `#!/bin/sh\necho started >> "${out}"\nsleep 60\necho never >> "${out}"\n`);
  chmodSync(hang, 0o755);
  const fail = join(dir, "fail.sh");
  writeFileSync(fail, "#!/bin/sh\nexit 7\n");
  chmodSync(fail, 0o755);
  const inst = makeInstance("VI_1", {
    notifyMaster: hang,
    notifyFault: fail,
    notifyBackup: recorder(dir, "backup", out),
  });
  const log = memoryLogger();
  const n = attachNotify(noDaemon, makeConfig([inst]), log, { timeoutMs: 400 });
  t.after(() => n.stop());
  const t0 = performance.now();
  n.onState(ev(inst, "BACKUP", "MASTER", 150));
  n.onState(ev(inst, "MASTER", "FAULT", 150));
  n.onState(ev(inst, "FAULT", "BACKUP", 150));
  assert.ok(performance.now() - t0 < 50);
  await n.idle(10_000);
  const took = performance.now() - t0;
  assert.ok(took >= 380 && took < 3000, `took ${took}`);
  assert.deepEqual(lines(out), ["started", "backup"]);
  assert.ok(
    log.lines.some((l) =>
      /\[error\] \(VI_1\) notify_master script .*hang\.sh timed out after 400 ms/.test(l),
    ),
  );
  assert.ok(
    log.lines.some((l) => /\[warn\] \(VI_1\) notify_fault script .*fail\.sh failed: exit status 7/.test(l)),
  );
  const c = n.counters();
  assert.equal(c.notify_timed_out, 1);
  assert.equal(c.notify_failed, 1);
});

test("stop() lets STOP scripts finish, bounded, and kills what still runs", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "calls");
  const inst = makeInstance("VI_1", { notifyStop: recorder(dir, "stop", out, "0.1") });
  const n = attachNotify(noDaemon, makeConfig([inst]), memoryLogger(), { stopBoundMs: 3000 });
  n.onState(ev(inst, "MASTER", "STOP", 150));
  await n.stop();
  assert.deepEqual(lines(out), ["stop"]);
  // a stop script that hangs is cut at the bound
  const hang = join(dir, "hang.sh");
  writeFileSync(hang, "#!/bin/sh\nsleep 60\n");
  chmodSync(hang, 0o755);
  const inst2 = makeInstance("VI_2", { notifyStop: hang });
  const n2 = attachNotify(noDaemon, makeConfig([inst2]), memoryLogger(), { stopBoundMs: 300 });
  n2.onState(ev(inst2, "MASTER", "STOP", 150));
  const t0 = performance.now();
  await n2.stop();
  assert.ok(performance.now() - t0 < 2000);
});

test("notify scripts run as script_user", async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip("needs root");
    return;
  }
  const dir = tempDir(t);
  chmodSync(dir, 0o777);
  const out = join(dir, "uid");
  const p = join(dir, "who.sh");
  writeFileSync(p, `#!/bin/sh\nid -un >> "${out}"\n`);
  chmodSync(p, 0o755);
  const inst = makeInstance("VI_1", { notifyMaster: p });
  const n = attachNotify(
    noDaemon,
    makeConfig([inst], [], { scriptUser: { user: "nobody", group: null } }),
    memoryLogger(),
  );
  t.after(() => n.stop());
  n.onState(ev(inst, "BACKUP", "MASTER", 150));
  await n.idle(5000);
  assert.deepEqual(lines(out), ["nobody"]);
});
