/**
 * FAULT from tracking, in network namespaces with two onair nodes: a
 * `track_interface` link (a veth pair inside node1's namespace) losing carrier
 * and up, and a weight-0 `vrrp_script` failing and recovering, each move the
 * VIP to node2 and back, with notify_fault / notify_backup / notify_master
 * recorded on node1.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { masterDownInterval, skewTime } from "../src/engine/vrrp/vrrp-timers.js";
import { type Proc, tempDir, waitFor } from "./helpers/env.js";
import { createLab, holders, ip, waitHolder } from "./helpers/netns.js";
import { startHealthNode, VIP } from "./vrrp-health-lab.js";

function conf(opts: {
  priority: number;
  state: string;
  flagCheck: string;
  notify: string;
  track: boolean;
}): string {
  return `vrrp_script chk_flag {
    script "${opts.flagCheck}"
    interval 1
    weight 0
}

vrrp_instance VI_1 {
    state ${opts.state}
    interface eth0
    virtual_router_id 51
    priority ${opts.priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass mysecretpass
    }
    track_script {
        chk_flag
    }
${opts.track ? "    track_interface {\n        trk0\n    }\n" : ""}    notify "${opts.notify}"
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
}

test("track_interface down and a weight-0 script failing each put node1 in FAULT and back", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
  ]);
  const n1ns = lab.node("node1").ns;
  const n2ns = lab.node("node2").ns;
  // the tracked link: a veth pair inside node1's namespace; cutting its peer drops the carrier
  await ip("-n", n1ns, "link", "add", "trk0", "type", "veth", "peer", "name", "trk1");
  await ip("-n", n1ns, "link", "set", "trk0", "up");
  await ip("-n", n1ns, "link", "set", "trk1", "up");
  const flag = join(dir, "fail-node1");
  const check = join(dir, "flag.sh");
  writeFileSync(check, `#!/bin/sh\n[ "$1" = node1 ] && [ -e "${flag}" ] && exit 1\nexit 0\n`);
  chmodSync(check, 0o755);
  const rec = join(dir, "rec.sh");
  const log1 = join(dir, "node1.notify");
  writeFileSync(rec, '#!/bin/sh\nout="$1"\nshift\necho "$*" >> "$out"\n');
  chmodSync(rec, 0o755);
  const c1 = join(dir, "node1.conf");
  const c2 = join(dir, "node2.conf");
  writeFileSync(
    c1,
    conf({
      priority: 150,
      state: "MASTER",
      flagCheck: `${check} node1`,
      notify: `${rec} ${log1}`,
      track: true,
    }),
  );
  writeFileSync(
    c2,
    conf({
      priority: 100,
      state: "BACKUP",
      flagCheck: `${check} node2`,
      notify: `${rec} /dev/null`,
      track: false,
    }),
  );
  const ready = (p: Proc) => waitFor(() => p.stderr().includes("READY"), 20_000, "onair ready");
  const n2 = startHealthNode(t, n2ns, c2);
  await ready(n2);
  const n1 = startHealthNode(t, n1ns, c1);
  t.after(() => {
    if (process.env.ONAIR_TEST_VERBOSE)
      process.stderr.write(`--- node1\n${n1.stderr()}--- node2\n${n2.stderr()}`);
  });
  await ready(n1);
  await waitHolder(n1ns, VIP, performance.now(), masterDownInterval(2, 150, 1000) + 3000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 5000, "node1 sole holder");
  // FAULT leaves MASTER with a priority-0 advert: node2 takes over after its skew time.
  const fastBound = 100 + skewTime(2, 100, 1000) + 500;

  // 1. track_interface: trk0 loses carrier → FAULT; carrier back → BACKUP, then preempts
  let t0 = performance.now();
  await ip("-n", n1ns, "link", "set", "trk1", "down");
  let took = await waitHolder(n2ns, VIP, t0, 5000);
  t.diagnostic(
    `trk0 carrier lost → node2 holds the VIP after ${took.toFixed(0)} ms (bound ${fastBound.toFixed(0)})`,
  );
  assert.ok(took <= fastBound, `took ${took}`);
  await waitFor(() => n1.stderr().includes("Entering FAULT STATE"), 2000, "node1 FAULT");
  assert.deepEqual(await holders(lab, VIP), ["node2"]);
  await ip("-n", n1ns, "link", "set", "trk1", "up");
  await waitHolder(n1ns, VIP, performance.now(), masterDownInterval(2, 150, 1000) + 3000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 5000, "node1 back");

  // 2. weight-0 script fails → FAULT; recovers → back
  t0 = performance.now();
  writeFileSync(flag, "");
  took = await waitHolder(n2ns, VIP, t0, 6000);
  t.diagnostic(`weight-0 check failing → node2 holds the VIP after ${took.toFixed(0)} ms`);
  assert.ok(took <= 1000 + fastBound, `took ${took}`);
  assert.deepEqual(await holders(lab, VIP), ["node2"]);
  rmSync(flag);
  await waitHolder(n1ns, VIP, performance.now(), 1000 + masterDownInterval(2, 150, 1000) + 3000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 5000, "node1 back again");

  const calls = () => (existsSync(log1) ? readFileSync(log1, "utf8").trim().split("\n") : []);
  await waitFor(() => calls().length >= 7, 3000, "notify calls");
  assert.deepEqual(
    calls().map((l) => l.split(" ")[2]),
    ["BACKUP", "MASTER", "FAULT", "BACKUP", "MASTER", "FAULT", "BACKUP", "MASTER"].slice(0, calls().length),
  );
  assert.ok(calls().length >= 7);
});
