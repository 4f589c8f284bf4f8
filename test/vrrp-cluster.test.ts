/**
 * Two onair VRRP nodes running the guide's section B configs (interface and
 * VIP adapted) in network namespaces, with a client and a web server on each
 * node: the VIP is on node1 only and reaches node1's server; failover on
 * SIGTERM, SIGKILL and a cut link within the protocol's bounds; preemption
 * when node1 comes back. After each step exactly one live node holds the VIP
 * and the client's ARP entry names the holder's MAC.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { masterDownInterval, skewTime } from "../src/engine/vrrp/vrrp-timers.js";
import { type Proc, sleep, tempDir, waitFor } from "./helpers/env.js";
import {
  addressAdded,
  assertSoleHolder,
  createLab,
  guideConfig,
  holders,
  onairReady,
  setLink,
  startOnair,
  waitHolder,
  webServer,
} from "./helpers/netns.js";

const VIP = "198.18.0.100";
/** Margin the issue allows on top of the protocol's bound. */
const MARGIN = 200;

test("two onair nodes, guide configs: election, SIGTERM, SIGKILL and link-cut failover, preempt", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
    { name: "client", host: 50 },
  ]);
  const conf1 = join(dir, "node1.conf");
  const conf2 = join(dir, "node2.conf");
  writeFileSync(conf1, guideConfig("master"));
  writeFileSync(conf2, guideConfig("backup"));
  await webServer(t, lab.node("node1").ns, "node1");
  await webServer(t, lab.node("node2").ns, "node2");
  const ready = (p: Proc) => waitFor(() => onairReady(p), 15_000, "onair vrrp ready");

  const logs: Proc[] = [];
  t.after(() => {
    if (process.env.ONAIR_TEST_VERBOSE) for (const p of logs) process.stderr.write(p.stderr());
  });
  const n2 = startOnair(t, lab.node("node2").ns, conf2);
  logs.push(n2);
  await ready(n2);
  let n1 = startOnair(t, lab.node("node1").ns, conf1);
  logs.push(n1);
  await ready(n1);
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), 8000);
  await sleep(300);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"], true);
  // the client has talked to node1 through the VIP: its ARP entry exists from here on.

  // SIGTERM: priority 0, the backup takes over after its skew time.
  const added = () => addressAdded(lab.node("node2").ns, VIP, 8000);
  let arrival = added();
  await sleep(100); // the monitor is listening
  let t0 = performance.now();
  n1.kill("SIGTERM");
  let took = (await arrival) - t0;
  t.diagnostic(
    `SIGTERM failover: ${took.toFixed(0)} ms (bound ${(skewTime(2, 100, 1000) + MARGIN).toFixed(0)})`,
  );
  assert.ok(took <= skewTime(2, 100, 1000) + MARGIN, `SIGTERM failover took ${took} ms`);
  assert.equal(await n1.exited, 0);
  await assertSoleHolder(lab, VIP, "node2", ["node1", "node2"]);

  // node1 comes back: preempts after its own Master_Down_Interval.
  n1 = startOnair(t, lab.node("node1").ns, conf1);
  await ready(n1);
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), masterDownInterval(2, 150, 1000) + 3000);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"]);

  // SIGKILL: no priority 0; the backup waits Master_Down_Interval after the last advert.
  arrival = added();
  await sleep(100);
  t0 = performance.now();
  n1.kill("SIGKILL");
  took = (await arrival) - t0;
  const mdi = masterDownInterval(2, 100, 1000);
  t.diagnostic(`SIGKILL failover: ${took.toFixed(0)} ms (bound ${(mdi + MARGIN).toFixed(0)})`);
  assert.ok(took <= mdi + MARGIN, `SIGKILL failover took ${took} ms`);
  await n1.exited;
  await assertSoleHolder(lab, VIP, "node2", ["node2"]);
  assert.deepEqual(
    await holders(lab, VIP, ["node1"]),
    ["node1"],
    "a killed node leaves its VIP (as keepalived)",
  );
  // restart: the stale VIP is removed first, then node1 preempts.
  n1 = startOnair(t, lab.node("node1").ns, conf1);
  await ready(n1);
  assert.deepEqual(await holders(lab, VIP, ["node1"]), [], "stale VIP removed at startup");
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), masterDownInterval(2, 150, 1000) + 3000);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"]);

  // Link cut on the bridge side: node2 stops hearing adverts; node1 sees no carrier (FAULT, VIP removed).
  arrival = added();
  await sleep(100);
  t0 = performance.now();
  await setLink(lab.bridgeNs, lab.node("node1").port, false);
  took = (await arrival) - t0;
  t.diagnostic(`link-cut failover: ${took.toFixed(0)} ms (bound ${(mdi + MARGIN).toFixed(0)})`);
  assert.ok(took <= mdi + MARGIN, `link-cut failover took ${took} ms`);
  await assertSoleHolder(lab, VIP, "node2", ["node1", "node2"]);
  await setLink(lab.bridgeNs, lab.node("node1").port, true);
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), masterDownInterval(2, 150, 1000) + 3000);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"]);
  void n2;
});

test("nopreempt keeps a lower-priority master; preempt_delay delays the takeover", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
    { name: "client", host: 50 },
  ]);
  await webServer(t, lab.node("node1").ns, "node1");
  await webServer(t, lab.node("node2").ns, "node2");
  const conf = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const noPreempt = guideConfig("master", { extra: "    nopreempt\n" }).replace(
    "state MASTER",
    "state BACKUP",
  );
  const delayed = guideConfig("master", { extra: "    preempt_delay 2\n" }).replace(
    "state MASTER",
    "state BACKUP",
  );
  const ready = (p: Proc) => waitFor(() => onairReady(p), 15_000, "onair vrrp ready");
  const n2 = startOnair(t, lab.node("node2").ns, conf("node2.conf", guideConfig("backup")));
  await ready(n2);
  await waitHolder(lab.node("node2").ns, VIP, performance.now(), 8000);
  await assertSoleHolder(lab, VIP, "node2", ["node1", "node2"], true);

  // nopreempt: node1 (150) joins and stays BACKUP under node2 (100).
  let n1 = startOnair(t, lab.node("node1").ns, conf("np.conf", noPreempt));
  await ready(n1);
  await sleep(masterDownInterval(2, 150, 1000) + 1500);
  await assertSoleHolder(lab, VIP, "node2", ["node1", "node2"]);
  assert.match(n1.stderr(), /Entering BACKUP STATE/);
  assert.doesNotMatch(n1.stderr(), /Entering MASTER STATE/);
  n1.kill("SIGTERM");
  await n1.exited;

  // preempt_delay 2: node1 waits 2 s from the first lower-priority advert, then one Master_Down_Interval.
  const t0 = performance.now();
  n1 = startOnair(t, lab.node("node1").ns, conf("pd.conf", delayed));
  await ready(n1);
  const took = await waitHolder(lab.node("node1").ns, VIP, t0, 15_000);
  t.diagnostic(`preempt_delay takeover ${took.toFixed(0)} ms after start`);
  assert.ok(took >= 2000 + masterDownInterval(2, 150, 1000) - 1000, `took ${took} ms`);
  assert.ok(took <= 2000 + 1000 + masterDownInterval(2, 150, 1000) + 3000, `took ${took} ms`);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"]);
});
