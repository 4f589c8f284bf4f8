/**
 * Without CAP_NET_RAW, `onair vrrp` says so in one clear line and exits
 * non-zero (run as root with CAP_NET_RAW dropped from the bounding set).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot, startProcess, tempDir } from "./helpers/env.js";
import { createLab, guideConfig, hasAddress, onairVrrpArgs } from "./helpers/netns.js";

test("no CAP_NET_RAW: one clear line, exit 1, no VIP", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [{ name: "node1", host: 1 }]);
  const conf = join(dir, "node1.conf");
  writeFileSync(conf, guideConfig("master", { pass: "mysecret" }));
  const args = [
    "netns",
    "exec",
    lab.node("node1").ns,
    "setpriv",
    "--inh-caps=-net_raw",
    "--bounding-set=-net_raw",
  ];
  const p = startProcess(t, "ip", [...args, ...onairVrrpArgs("", conf).slice(3)], {
    cwd: projectRoot,
  });
  assert.equal(await p.exited, 1);
  const lines = p.stderr().trim().split("\n");
  assert.equal(lines.length, 1, p.stderr());
  assert.match(lines[0]!, /onair vrrp: need root or CAP_NET_RAW\+CAP_NET_ADMIN to open a raw VRRP socket$/);
  assert.equal(await hasAddress(lab.node("node1").ns, "198.18.0.100"), false);
});
