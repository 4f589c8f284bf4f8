/**
 * Health, notify and mail over configs read by the real keepalived reader:
 * the guide's files give the `onair vrrp -t` warnings, quoted script lines
 * reach argv as keepalived splits them, and http_check builds a check.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadKeepalivedConfig } from "../src/cli/config-api.js";
import { healthConfigWarnings } from "../src/engine/vrrp/tracking-warning.js";
import { makeHealthCheck } from "../src/server/vrrp/checks/index.js";
import { notifyJobs } from "../src/server/vrrp/notify/index.js";
import { projectRoot, tempDir } from "./helpers/env.js";

const fixtures = join(projectRoot, "test/fixtures/config");

test("the guide's section C config (weight -20) and its full config give the -t warnings", () => {
  const check = healthConfigWarnings(loadKeepalivedConfig(join(fixtures, "guide-keepalived-check.conf")));
  assert.equal(check.length, 1);
  assert.match(
    check[0]!,
    /guide-keepalived-check\.conf:\d+: vrrp_instance VI_1 track_script chk_nginx weight -20/,
  );
  assert.match(check[0]!, /lowers priority 150 only to 130, not below 100/);
  const full = healthConfigWarnings(loadKeepalivedConfig(join(fixtures, "guide-keepalived-full.conf")));
  assert.equal(full.length, 2);
  assert.match(full[1]!, /no vrrp_instance has smtp_alert: no e-mail is sent/);
});

test("quoted script and notify lines, http_check and smtp settings as the reader gives them", (t) => {
  const dir = tempDir(t);
  const conf = join(dir, "k.conf");
  writeFileSync(
    conf,
    `global_defs {
    router_id edge1
    notification_email {
        ops@example.com
    }
    smtp_server 127.0.0.1 2525
    smtp_alert
}
vrrp_script chk_args {
    script "/usr/local/bin/check.sh --port 80 'two words'"
    interval 3
    timeout 1
    weight -51
    rise 2
    fall 3
}
vrrp_script chk_web {
    http_check http://127.0.0.1/health status 204 timeout 2
    interval 2
    weight 0
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    track_script {
        chk_args
        chk_web weight -10
    }
    notify "/usr/local/bin/notify.sh 'x y'"
    notify_master /usr/local/bin/master.sh
    virtual_ipaddress {
        198.18.0.100/24
    }
}
`,
  );
  const cfg = loadKeepalivedConfig(conf);
  const args = cfg.scripts.get("chk_args")!;
  assert.equal(args.interval, 3000);
  assert.equal(args.timeout, 1000);
  assert.equal(args.rise, 2);
  assert.equal(args.fall, 3);
  assert.match(
    makeHealthCheck(args, cfg.globalDefs).describe,
    /^script \/usr\/local\/bin\/check\.sh --port 80 'two words'/,
  );
  const web = makeHealthCheck(cfg.scripts.get("chk_web")!, cfg.globalDefs);
  assert.equal(web.describe, "http_check http://127.0.0.1/health 204");
  const inst = cfg.instances[0]!;
  assert.deepEqual(inst.trackScript, [
    { name: "chk_args", weight: null },
    { name: "chk_web", weight: -10 },
  ]);
  assert.deepEqual(notifyJobs(inst, "MASTER", 150), [
    { kind: "notify_master", argv: ["/usr/local/bin/master.sh"] },
    { kind: "notify", argv: ["/usr/local/bin/notify.sh", "x y", "INSTANCE", "VI_1", "MASTER", "150"] },
  ]);
  assert.equal(cfg.globalDefs.routerId, "edge1");
  assert.deepEqual(cfg.globalDefs.smtpServer, { host: "127.0.0.1", port: 2525 });
  assert.equal(cfg.globalDefs.smtpAlert, true);
  // the per-instance override -10 cannot move the VIP: only that one is reported
  const w = healthConfigWarnings(cfg);
  assert.equal(w.length, 1);
  assert.match(w[0]!, /k\.conf:22: vrrp_instance VI_1 track_script chk_web weight -10: .* only to 140/);
});
