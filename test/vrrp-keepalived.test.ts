/**
 * Mixed clusters: onair and Debian's keepalived 2.2.7 in one VRRP group, in
 * network namespaces. VRRPv2 with PASS auth (the guide's configs) and VRRPv3:
 * onair master + keepalived backup and the reverse; election, failover on
 * SIGTERM, failback. A password mismatch keeps them apart (both MASTER) the
 * way two keepalived nodes are kept apart.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { skewTime } from "../src/engine/vrrp/vrrp-timers.js";
import { type Proc, sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import {
  addressAdded,
  assertSoleHolder,
  createLab,
  guideConfig,
  holders,
  keepalivedArgs,
  type Lab,
  onairReady,
  startOnair,
  waitHolder,
  webServer,
} from "./helpers/netns.js";

const VIP = "198.18.0.100";
const MARGIN = 200;
type Impl = "onair" | "keepalived";

async function mixedLab(t: TestContext): Promise<{ lab: Lab; dir: string }> {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
    { name: "client", host: 50 },
  ]);
  await webServer(t, lab.node("node1").ns, "node1");
  await webServer(t, lab.node("node2").ns, "node2");
  return { lab, dir };
}

let seq = 0;
async function startNode(
  t: TestContext,
  lab: Lab,
  dir: string,
  node: string,
  impl: Impl,
  text: string,
): Promise<Proc> {
  const conf = join(dir, `${node}-${impl}-${++seq}.conf`);
  writeFileSync(conf, text);
  const ns = lab.node(node).ns;
  if (impl === "onair") {
    const p = startOnair(t, ns, conf);
    await waitFor(() => onairReady(p), 15_000, "onair ready");
    return p;
  }
  const p = startProcess(t, "ip", keepalivedArgs(ns, conf, dir, `${node}-${seq}`));
  await waitFor(
    () => /Entering (BACKUP|MASTER) STATE/.test(p.stdout() + p.stderr()),
    15_000,
    "keepalived ready",
  );
  return p;
}

async function stop(p: Proc): Promise<void> {
  p.kill("SIGTERM");
  await p.exited;
}

async function scenario(t: TestContext, version: 2 | 3, masterImpl: Impl, backupImpl: Impl): Promise<void> {
  const { lab, dir } = await mixedLab(t);
  const opts = version === 3 ? { global: "    vrrp_version 3", pass: null } : {};
  const masterConf = guideConfig("master", opts);
  const backupConf = guideConfig("backup", opts);
  const b = await startNode(t, lab, dir, "node2", backupImpl, backupConf);
  let m = await startNode(t, lab, dir, "node1", masterImpl, masterConf);
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), 8000);
  await sleep(300);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"], true);
  // failover: the master stops (priority 0); the backup takes over after its skew time.
  const arrival = addressAdded(lab.node("node2").ns, VIP, 8000);
  await sleep(100); // the monitor is listening
  const t0 = performance.now();
  m.kill("SIGTERM");
  const took = (await arrival) - t0;
  t.diagnostic(`v${version} ${masterImpl}→${backupImpl} failover ${took.toFixed(0)} ms after SIGTERM`);
  assert.ok(took <= skewTime(version, 100, 1000) + MARGIN, `failover took ${took} ms`);
  await m.exited;
  await assertSoleHolder(lab, VIP, "node2", ["node1", "node2"]);
  // failback: the master returns and preempts.
  m = await startNode(t, lab, dir, "node1", masterImpl, masterConf);
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), 8000);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"]);
  await stop(m);
  await stop(b);
}

for (const version of [2, 3] as const) {
  test(`VRRPv${version}${version === 2 ? " PASS" : ""}: onair master + keepalived backup`, (t) =>
    scenario(t, version, "onair", "keepalived"));
  test(`VRRPv${version}${version === 2 ? " PASS" : ""}: keepalived master + onair backup`, (t) =>
    scenario(t, version, "keepalived", "onair"));
}

test("password mismatch keeps onair and keepalived apart, as two keepalived nodes", async (t) => {
  const { lab, dir } = await mixedLab(t);
  const pairs: [Impl, Impl][] = [
    ["keepalived", "keepalived"],
    ["onair", "keepalived"],
  ];
  for (const [a, b] of pairs) {
    const p2 = await startNode(t, lab, dir, "node2", b, guideConfig("backup", { pass: "otherpass" }));
    const p1 = await startNode(t, lab, dir, "node1", a, guideConfig("master"));
    await sleep(5500);
    assert.deepEqual(await holders(lab, VIP), ["node1", "node2"], `${a} + ${b}: both MASTER`);
    const out = (p: Proc) => p.stdout() + p.stderr();
    assert.match(out(p2), /invalid passwd/, `${b} saw the wrong password`);
    if (a === "onair") assert.match(out(p1), /auth_failure/);
    await stop(p1);
    await stop(p2);
    await waitFor(async () => (await holders(lab, VIP)).length === 0, 5000, "VIPs released");
  }
});
