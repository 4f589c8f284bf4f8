/**
 * SMTP alerts in the guide's cluster (section C, weight -51, with section C.4's
 * global_defs plus `smtp_alert`): node1 mails a real SMTP server (smtp-server,
 * inside node1's namespace) one message per transition to each recipient;
 * node2's SMTP server accepts connections and never answers, and node2 still
 * takes the VIP on time and still stops promptly.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { masterDownInterval } from "../src/engine/vrrp/vrrp-timers.js";
import { type Proc, projectRoot, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { createLab, holders, waitHolder } from "./helpers/netns.js";
import {
  guideCheckConfig,
  startHealthNode,
  startWeb,
  stopWeb,
  VIP,
  writeCheckScript,
} from "./vrrp-health-lab.js";

const SMTP_PORT = 2525;

function mailGlobals(routerId: string): string {
  return `    notification_email {
        admin@example.com
        ops@example.com
    }
    notification_email_from keepalived@${routerId}
    smtp_server 127.0.0.1 ${SMTP_PORT}
    smtp_connect_timeout 30
    router_id ${routerId}
    smtp_alert`;
}

/** smtp-server inside `ns`, printing one JSON line per message on stdout. */
async function smtpInNs(t: TestContext, ns: string): Promise<Proc> {
  const code = `
import { SMTPServer } from "smtp-server";
const s = new SMTPServer({ authOptional: true, disabledCommands: ["AUTH", "STARTTLS"], logger: false,
  onData(stream, session, cb) { const c = []; stream.on("data", (d) => c.push(d)); stream.on("end", () => {
    console.log(JSON.stringify({ rcpt: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(c).toString() })); cb(); }); } });
s.listen(${SMTP_PORT}, "127.0.0.1", () => console.log("SMTP-UP"));`;
  const p = startProcess(
    t,
    "ip",
    ["netns", "exec", ns, process.execPath, "--input-type=module", "-e", code],
    {
      cwd: projectRoot,
    },
  );
  await waitFor(() => p.stdout().includes("SMTP-UP"), 10_000, "smtp server");
  return p;
}

/** A TCP server inside `ns` that accepts and never says a word. */
async function silentInNs(t: TestContext, ns: string): Promise<Proc> {
  const code = `require("net").createServer(() => {}).listen(${SMTP_PORT}, "127.0.0.1", () => console.log("SILENT-UP"))`;
  const p = startProcess(t, "ip", ["netns", "exec", ns, process.execPath, "-e", code]);
  await waitFor(() => p.stdout().includes("SILENT-UP"), 10_000, "silent server");
  return p;
}

function subjects(p: Proc): { subject: string; rcpt: string[]; raw: string }[] {
  return p
    .stdout()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { rcpt: string[]; raw: string })
    .map((m) => ({ ...m, subject: /^Subject: (.*)$/m.exec(m.raw)?.[1]?.trim() ?? "" }));
}

test("mail per transition from node1; node2's silent SMTP server delays neither failover nor shutdown", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
  ]);
  const n1ns = lab.node("node1").ns;
  const n2ns = lab.node("node2").ns;
  const script = writeCheckScript(dir);
  const conf1 = join(dir, "node1.conf");
  const conf2 = join(dir, "node2.conf");
  writeFileSync(
    conf1,
    guideCheckConfig({ script, weight: -51, priority: 150, state: "MASTER", global: mailGlobals("node1") }),
  );
  writeFileSync(
    conf2,
    guideCheckConfig({ script, weight: -51, priority: 100, state: "BACKUP", global: mailGlobals("node2") }),
  );
  const smtp = await smtpInNs(t, n1ns);
  await silentInNs(t, n2ns);
  const web1 = await startWeb(t, n1ns, "node1");
  await startWeb(t, n2ns, "node2");
  const ready = (p: Proc) => waitFor(() => p.stderr().includes("READY"), 20_000, "onair ready");

  const n2 = startHealthNode(t, n2ns, conf2);
  t.after(() => {
    if (process.env.ONAIR_TEST_VERBOSE)
      process.stderr.write(`--- node1\n${n1.stderr()}--- node2\n${n2.stderr()}`);
  });
  await ready(n2);
  await waitHolder(n2ns, VIP, performance.now(), 8000);
  const n1 = startHealthNode(t, n1ns, conf1);
  await ready(n1);
  await waitHolder(n1ns, VIP, performance.now(), 8000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 3000, "node1 sole holder");

  const t0 = performance.now();
  await stopWeb(web1);
  const bound = 2000 + masterDownInterval(2, 100, 1000) + 500;
  const took = await waitHolder(n2ns, VIP, t0, bound + 3000);
  t.diagnostic(`failover with node2's SMTP server silent: ${took.toFixed(0)} ms (bound ${bound.toFixed(0)})`);
  assert.ok(took <= bound, `took ${took} ms`);

  await waitFor(() => subjects(smtp).length >= 3, 10_000, "three mails from node1");
  const got = subjects(smtp);
  assert.deepEqual(
    got.slice(0, 3).map((m) => m.subject),
    [
      "[node1] VRRP Instance VI_1 - Entering BACKUP state",
      "[node1] VRRP Instance VI_1 - Entering MASTER state",
      "[node1] VRRP Instance VI_1 - Entering BACKUP state",
    ],
  );
  for (const m of got) {
    assert.deepEqual(m.rcpt, ["admin@example.com", "ops@example.com"]);
    assert.match(m.raw, /^From: keepalived@node1\r?$/m);
    assert.match(m.raw, /^X-Mailer: Keepalived\r?$/m);
  }
  assert.match(got[1]!.raw, /=> VRRP Instance is now owning VRRP VIPs <=/);
  assert.match(got[2]!.raw, /=> VRRP Instance is no longer owning VRRP VIPs <=/);
  assert.match(n2.stderr(), /Entering MASTER STATE/);

  // node2 stops promptly although its mails are still stuck on the silent server
  const t1 = performance.now();
  n2.kill("SIGTERM");
  assert.equal(await n2.exited, 0);
  const stopTook = performance.now() - t1;
  t.diagnostic(`node2 stop with SMTP stuck: ${stopTook.toFixed(0)} ms`);
  assert.ok(stopTook < 5000, `stop took ${stopTook} ms`);
  n1.kill("SIGTERM");
  assert.equal(await n1.exited, 0);
  // node1's shutdown mail ("Stopping") went out within the stop bound
  await waitFor(
    () => subjects(smtp).some((m) => m.subject === "[node1] VRRP Instance VI_1 - Stopping"),
    3000,
    "stop mail",
  );
});
