/**
 * Partition heal (groundwork for issue 7): node1's port is taken off the
 * bridge with its carrier up, so both nodes become MASTER; when it comes back
 * the higher priority wins at once and says so on the wire (advert and
 * gratuitous ARPs), the loser drops the VIP in the same step: one holder, and
 * the client's ARP entry names it, a moment after each heal.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { masterDownInterval } from "../src/engine/vrrp/vrrp-timers.js";
import { type Proc, sleep, tempDir, waitFor } from "./helpers/env.js";
import {
  assertSoleHolder,
  createLab,
  guideConfig,
  holders,
  ip,
  onairReady,
  startOnair,
  waitHolder,
  webServer,
} from "./helpers/netns.js";

const VIP = "198.18.0.100";

test("partition and heal 3 times: both MASTER while apart, one holder and the right ARP entry after", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
    { name: "client", host: 50 },
  ]);
  await webServer(t, lab.node("node1").ns, "node1");
  await webServer(t, lab.node("node2").ns, "node2");
  const ready = (p: Proc) => waitFor(() => onairReady(p), 15_000, "onair ready");
  writeFileSync(join(dir, "n1.conf"), guideConfig("master"));
  writeFileSync(join(dir, "n2.conf"), guideConfig("backup"));
  await ready(startOnair(t, lab.node("node2").ns, join(dir, "n2.conf")));
  await ready(startOnair(t, lab.node("node1").ns, join(dir, "n1.conf")));
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), 8000);
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"], true);
  const port = lab.node("node1").port;
  for (let i = 0; i < 3; i++) {
    await ip("-n", lab.bridgeNs, "link", "set", port, "nomaster");
    await sleep(masterDownInterval(2, 100, 1000) + 600);
    await waitFor(async () => (await holders(lab, VIP)).length === 2, 3000, "both MASTER while apart");
    await ip("-n", lab.bridgeNs, "link", "set", port, "master", "br0");
    await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"]);
  }
});
