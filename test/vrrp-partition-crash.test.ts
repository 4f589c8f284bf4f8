/**
 * Issue 7, crash: a node killed with SIGKILL cannot remove its VIP, so it
 * stays on its interface while the backup takes over (two holders, as with
 * keepalived). onair started again on that node removes the stale VIP before
 * anything else (before its socket opens and its instance starts), and only
 * takes it again by preempting as MASTER later.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { masterDownInterval } from "../src/engine/vrrp/vrrp-timers.js";
import { startProcess, tempDir, waitFor } from "./helpers/env.js";
import { assertSoleHolder, hasAddress, holders } from "./helpers/netns.js";
import { healLab, startNode, VIP } from "./vrrp-partition-lab.js";

test("SIGKILL leaves the VIP on the dead node; restarting onair removes it first, then preempts", async (t) => {
  const dir = tempDir(t);
  const lab = await healLab(t);
  const ns1 = lab.node("node1").ns;
  await startNode(t, lab, dir, "node2", "onair");
  const first = await startNode(t, lab, dir, "node1", "onair");
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 10_000, "node1 holds the VIP");
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"], true);

  first.kill("SIGKILL");
  await first.exited;
  await waitFor(
    async () => (await holders(lab, VIP)).join() === "node1,node2",
    masterDownInterval(2, 100, 1000) + 3000,
    "two holders after SIGKILL",
  );
  assert.ok(await hasAddress(ns1, VIP), "the dead node still holds the VIP");

  const monitor = startProcess(t, "ip", ["-n", ns1, "monitor", "address"]);
  await new Promise((r) => setTimeout(r, 300));
  const again = await startNode(t, lab, dir, "node1", "onair");
  const log = again.stderr() + again.stdout();
  const removed = log.indexOf("removing stale VIP");
  const started = log.search(/Entering (BACKUP|MASTER) STATE/);
  assert.ok(removed >= 0, `stale VIP removal logged:\n${log}`);
  assert.ok(started === -1 || removed < started, "removed before the instance starts");
  assert.equal(await hasAddress(ns1, VIP), false, "removed at once, before the instance may take it again");
  assert.deepEqual(await holders(lab, VIP), ["node2"]);

  // Then node1 (150) preempts node2 the usual way: one holder, and the client's ARP entry names it.
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 10_000, "node1 preempts");
  await assertSoleHolder(lab, VIP, "node1", ["node1", "node2"]);
  const events = monitor
    .stdout()
    .split("\n")
    .filter((l) => l.includes(`inet ${VIP}/`));
  assert.ok(
    events[0]?.startsWith("Deleted"),
    `first VIP event on node1 is its removal: ${events.join(" | ")}`,
  );
  assert.ok(
    events.slice(1).some((l) => !l.startsWith("Deleted")),
    "added again later as MASTER",
  );
});
