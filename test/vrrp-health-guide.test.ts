/**
 * The guide's section C in network namespaces, both variants, with the
 * guide's check_nginx.sh verbatim (it curls http://127.0.0.1/, so each node
 * runs a small web server on port 80 inside its namespace) and the VIP in
 * front of it:
 *  - weight -20: stopping node1's web server lowers it to 130, the VIP stays
 *    and the warning line is logged;
 *  - weight -51: it drops to 99 and the VIP moves to node2 within
 *    interval × fall + Master_Down_Interval + 0.5 s; starting the web server
 *    again brings the VIP back.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { masterDownInterval } from "../src/engine/vrrp/vrrp-timers.js";
import { type Proc, sleep, tempDir, waitFor } from "./helpers/env.js";
import { createLab, holders, type Lab, nsExec, waitHolder } from "./helpers/netns.js";
import {
  guideCheckConfig,
  startHealthNode,
  startWeb,
  stopWeb,
  VIP,
  writeCheckScript,
} from "./vrrp-health-lab.js";

async function lab3(t: TestContext): Promise<Lab> {
  return createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
    { name: "client", host: 50 },
  ]);
}

async function fetchVip(lab: Lab): Promise<string> {
  return nsExec(lab.node("client").ns, "curl", ["-s", "-m", "2", `http://${VIP}/`]).catch(() => "");
}

interface Cluster {
  lab: Lab;
  web1: Proc;
  n1: Proc;
  n2: Proc;
}

async function guideCluster(t: TestContext, weight: number): Promise<Cluster> {
  const dir = tempDir(t);
  const lab = await lab3(t);
  const script = writeCheckScript(dir);
  const conf1 = join(dir, "node1.conf");
  const conf2 = join(dir, "node2.conf");
  writeFileSync(conf1, guideCheckConfig({ script, weight, priority: 150, state: "MASTER" }));
  writeFileSync(conf2, guideCheckConfig({ script, weight, priority: 100, state: "BACKUP" }));
  const web1 = await startWeb(t, lab.node("node1").ns, "node1");
  await startWeb(t, lab.node("node2").ns, "node2");
  const ready = (p: Proc) => waitFor(() => p.stderr().includes("READY"), 20_000, "onair vrrp ready");
  const n2 = startHealthNode(t, lab.node("node2").ns, conf2);
  t.after(() => {
    if (process.env.ONAIR_TEST_VERBOSE)
      process.stderr.write(`--- node1\n${n1.stderr()}--- node2\n${n2.stderr()}`);
  });
  await ready(n2);
  await waitHolder(lab.node("node2").ns, VIP, performance.now(), 8000);
  const n1 = startHealthNode(t, lab.node("node1").ns, conf1);
  await ready(n1);
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), 8000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 3000, "node1 sole holder");
  await waitFor(async () => (await fetchVip(lab)) === "node1", 3000, "client reaches node1 via the VIP");
  return { lab, web1, n1, n2 };
}

test("guide, weight -20: nginx down on the master lowers it to 130, the VIP stays, the warning is logged", async (t) => {
  const { lab, web1, n1 } = await guideCluster(t, -20);
  await stopWeb(web1);
  await waitFor(() => n1.stderr().includes("effective priority 150 -> 130"), 2 * 2000 + 1000, "priority 130");
  await waitFor(() => /failing but still MASTER at priority 130/.test(n1.stderr()), 2000, "warning line");
  const warnings = n1
    .stderr()
    .split("\n")
    .filter((l) => l.includes("failing but still MASTER"));
  assert.equal(warnings.length, 1);
  // On the wire: node1 keeps advertising, now at 130.
  const cap = await nsExec(
    lab.bridgeNs,
    "tshark",
    [
      "-i",
      "br0",
      "-a",
      "duration:3",
      "-f",
      "ip proto 112",
      "-T",
      "fields",
      "-e",
      "ip.src",
      "-e",
      "vrrp.prio",
    ],
    20_000,
  );
  const adverts = cap.trim().split("\n").filter(Boolean);
  assert.ok(adverts.length >= 2, `adverts captured: ${cap}`);
  assert.ok(
    adverts.every((l) => l === "198.18.0.1\t130"),
    `adverts: ${adverts.join(", ")}`,
  );
  // Longer than node2's Master_Down_Interval: the VIP does not move (the guide's own trap).
  await sleep(masterDownInterval(2, 100, 1000) + 1000);
  assert.deepEqual(await holders(lab, VIP), ["node1"]);
  assert.equal(await fetchVip(lab), ""); // the service behind the VIP is down, as with keepalived
  const web = await startWeb(t, lab.node("node1").ns, "node1 again");
  await waitFor(
    () => n1.stderr().includes("effective priority 130 -> 150"),
    2 * 2000 + 1000,
    "priority back",
  );
  assert.equal(await fetchVip(lab), "node1 again");
  await stopWeb(web);
});

test("guide, weight -51: nginx down drops the master to 99 and the VIP moves; nginx back brings it home", async (t) => {
  const { lab, web1, n1 } = await guideCluster(t, -51);
  const t0 = performance.now();
  await stopWeb(web1);
  const bound = 2000 * 1 + masterDownInterval(2, 100, 1000) + 500;
  const took = await waitHolder(lab.node("node2").ns, VIP, t0, bound + 3000);
  t.diagnostic(`failover after nginx stopped: ${took.toFixed(0)} ms (bound ${bound.toFixed(0)})`);
  assert.ok(took <= bound, `took ${took} ms, bound ${bound}`);
  assert.ok(n1.stderr().includes("effective priority 150 -> 99"));
  assert.ok(!n1.stderr().includes("failing but still MASTER"));
  await waitFor(async () => (await holders(lab, VIP)).join() === "node2", 3000, "node2 sole holder");
  await waitFor(async () => (await fetchVip(lab)) === "node2", 3000, "client reaches node2");
  const t1 = performance.now();
  await startWeb(t, lab.node("node1").ns, "node1 again");
  const back = await waitHolder(
    lab.node("node1").ns,
    VIP,
    t1,
    2000 + masterDownInterval(2, 150, 1000) + 3000,
  );
  t.diagnostic(`failback after nginx restarted: ${back.toFixed(0)} ms`);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 3000, "node1 sole holder again");
  await waitFor(async () => (await fetchVip(lab)) === "node1 again", 3000, "client reaches node1 again");
});
