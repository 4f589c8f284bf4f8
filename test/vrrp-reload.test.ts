/**
 * SIGHUP reload, as keepalived: an unchanged instance keeps running (no
 * transition, VIP kept); a changed one restarts with its new VIP; a removed
 * one releases its VIP; a new one starts.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir, waitFor } from "./helpers/env.js";
import { createLab, hasAddress, onairReady, startOnair } from "./helpers/netns.js";

const instance = (name: string, vrid: number, vip: string) => `vrrp_instance ${name} {
    state MASTER
    interface eth0
    virtual_router_id ${vrid}
    priority 255
    advert_int 1
    virtual_ipaddress {
        ${vip}/24
    }
}
`;

test("SIGHUP: unchanged instances keep running, changed/removed/new ones follow the file", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [{ name: "node1", host: 1 }]);
  const ns = lab.node("node1").ns;
  const conf = join(dir, "keepalived.conf");
  writeFileSync(
    conf,
    instance("VI_1", 51, "198.18.0.100") +
      instance("VI_2", 52, "198.18.0.102") +
      instance("VI_4", 54, "198.18.0.105"),
  );
  const p = startOnair(t, ns, conf);
  await waitFor(() => onairReady(p), 15_000, "onair ready");
  await waitFor(
    async () => (await hasAddress(ns, "198.18.0.100")) && (await hasAddress(ns, "198.18.0.102")),
    5000,
    "VIPs",
  );

  writeFileSync(
    conf,
    instance("VI_1", 51, "198.18.0.100") +
      instance("VI_2", 52, "198.18.0.103") +
      instance("VI_3", 53, "198.18.0.104"),
  );
  p.kill("SIGHUP");
  await waitFor(
    () => /reloaded: 1 instance\(s\) kept, 2 \(re\)started/.test(p.stderr()),
    5000,
    "reload logged",
  );
  await waitFor(
    async () => (await hasAddress(ns, "198.18.0.103")) && (await hasAddress(ns, "198.18.0.104")),
    5000,
    "new VIPs",
  );
  assert.equal(await hasAddress(ns, "198.18.0.100"), true, "unchanged instance kept its VIP");
  assert.equal(await hasAddress(ns, "198.18.0.102"), false, "changed instance released its old VIP");
  assert.equal(await hasAddress(ns, "198.18.0.105"), false, "removed instance released its VIP");
  assert.equal(p.stderr().match(/\(VI_1\) Entering/g)?.length, 1, "VI_1 never left MASTER");
  p.kill("SIGTERM");
  assert.equal(await p.exited, 0);
  for (const a of ["198.18.0.100", "198.18.0.103", "198.18.0.104"])
    assert.equal(await hasAddress(ns, a), false);
});
