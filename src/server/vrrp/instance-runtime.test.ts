/**
 * Issue 6/7: the status an instance gives (`describe()`) carries the last
 * peer heard (`peerPriority`, `peerAddress`), read by the tracker's
 * stuck-master warning through `heardPeer`; a master keeps what it heard as
 * BACKUP. No sockets and no takeover: nothing is sent and no address is touched.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseKeepalivedConfigText } from "../../config/keepalived-schema.js";
import { FakeClock } from "../../engine/clock.js";
import { memoryLogger } from "../../util/logger.js";
import { Counters } from "./counters.js";
import { InstanceRuntime } from "./instance-runtime.js";
import { heardPeer } from "./tracker.js";

const CONF = `vrrp_instance VI_1 {
  state BACKUP
  interface oa-none0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    198.18.0.100/24
  }
}
`;

test("describe(): peerPriority/peerAddress heard as BACKUP, read by the tracker's heardPeer", () => {
  const cfg = parseKeepalivedConfigText(CONF, "k.conf").instances[0]!;
  const clock = new FakeClock(0);
  const rt = new InstanceRuntime(cfg, "198.18.0.2", {
    log: memoryLogger(),
    clock,
    counters: new Counters(),
    macs: new Map(),
  });
  rt.driver.dispatch({ type: "start" });
  assert.equal(heardPeer([rt.describe()], "VI_1"), null, "nothing heard yet");
  const src = (198 << 24) | (18 << 16) | 1;
  rt.onAdvert({ priority: 150, adverInt: 1000, src } as Parameters<InstanceRuntime["onAdvert"]>[0]);
  assert.deepEqual(heardPeer([rt.describe()], "VI_1"), { priority: 150, address: "198.18.0.1" });
  rt.onAdvert({ priority: 0, adverInt: 1000, src } as Parameters<InstanceRuntime["onAdvert"]>[0]);
  assert.deepEqual(
    heardPeer([rt.describe()], "VI_1"),
    { priority: 150, address: "198.18.0.1" },
    "priority 0 kept out",
  );
  // (Kept once MASTER: src/engine/vrrp/vrrp-instance-heal.test.ts; taking over here would touch addresses.)
  rt.driver.dispose();
});
