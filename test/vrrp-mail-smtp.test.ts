/**
 * SMTP alerts against a real SMTP server (smtp-server on loopback): one
 * message per state change to every recipient with keepalived's subject,
 * body and headers; with the server down or silent, the state path returns
 * at once and retries stay bounded.
 */
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { SMTPServer } from "smtp-server";
import type { GlobalDefs, VrrpInstanceConfig } from "../src/config/types.js";
import { attachNotify } from "../src/server/vrrp/notify/index.js";
import { vrrpAlertMessage } from "../src/server/vrrp/notify/smtp-alert.js";
import type { VrrpStateEvent } from "../src/server/vrrp/tracker.js";
import { memoryLogger } from "../src/util/logger.js";
import { freePort, sleep, waitFor } from "./helpers/env.js";
import { makeConfig, makeInstance } from "./vrrp-health-fixtures.js";

interface Received {
  from: string;
  rcpt: string[];
  raw: string;
}

async function startSmtp(t: { after: (fn: () => unknown) => void }, port?: number) {
  const got: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        cb();
      });
    },
  });
  const p = port ?? (await freePort());
  await new Promise<void>((r) => server.listen(p, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { port: p, got, server };
}

function headers(raw: string): Map<string, string> {
  const head = raw.split("\r\n\r\n")[0]!.replace(/\r\n[ \t]+/g, " ");
  const m = new Map<string, string>();
  for (const l of head.split("\r\n")) {
    const i = l.indexOf(":");
    m.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
  }
  return m;
}

function body(raw: string): string {
  return raw.slice(raw.indexOf("\r\n\r\n") + 4);
}

function mailConfig(port: number, inst: VrrpInstanceConfig, over: Partial<GlobalDefs> = {}) {
  return makeConfig([inst], [], {
    routerId: "node1",
    notificationEmail: ["admin@example.com", "ops@example.com"],
    notificationEmailFrom: "keepalived@node1",
    smtpServer: { host: "127.0.0.1", port },
    smtpConnectTimeout: 2000,
    ...over,
  });
}

function ev(instance: VrrpInstanceConfig, from: string, to: string): VrrpStateEvent {
  return { instance, from, to, priority: 150, reason: "test" };
}

test("keepalived's subject and body per state", () => {
  assert.deepEqual(vrrpAlertMessage("node1", "VI_1", "MASTER"), {
    subject: "[node1] VRRP Instance VI_1 - Entering MASTER state",
    body: "=> VRRP Instance is now owning VRRP VIPs <=",
  });
  assert.equal(
    vrrpAlertMessage("n", "VI_1", "BACKUP")!.body,
    "=> VRRP Instance is no longer owning VRRP VIPs <=",
  );
  assert.equal(
    vrrpAlertMessage("n", "VI_1", "FAULT")!.subject,
    "[n] VRRP Instance VI_1 - Entering FAULT state",
  );
  assert.deepEqual(vrrpAlertMessage("n", "VI_1", "STOP"), {
    subject: "[n] VRRP Instance VI_1 - Stopping",
    body: "=> VRRP Instance stopping <=",
  });
  assert.equal(vrrpAlertMessage("n", "VI_1", "INIT"), null);
});

test("one message per transition, to every recipient, with keepalived's headers and body", async (t) => {
  const smtp = await startSmtp(t);
  const inst = makeInstance("VI_1", { smtpAlert: true });
  const n = attachNotify({ on() {} }, mailConfig(smtp.port, inst), memoryLogger());
  t.after(() => n.stop());
  n.onState(ev(inst, "INIT", "BACKUP"));
  await waitFor(() => smtp.got.length === 1, 5000, "BACKUP mail");
  n.onState(ev(inst, "BACKUP", "MASTER"));
  await waitFor(() => smtp.got.length === 2, 5000, "MASTER mail");
  n.onState(ev(inst, "MASTER", "MASTER")); // same state again: no second mail (last_email_state)
  n.onState(ev(inst, "MASTER", "FAULT"));
  await waitFor(() => smtp.got.length === 3, 5000, "FAULT mail");
  await sleep(200);
  assert.equal(smtp.got.length, 3);
  const subjects = smtp.got.map((g) => headers(g.raw).get("subject"));
  assert.deepEqual(subjects, [
    "[node1] VRRP Instance VI_1 - Entering BACKUP state",
    "[node1] VRRP Instance VI_1 - Entering MASTER state",
    "[node1] VRRP Instance VI_1 - Entering FAULT state",
  ]);
  for (const g of smtp.got) {
    assert.equal(g.from, "keepalived@node1");
    assert.deepEqual(g.rcpt, ["admin@example.com", "ops@example.com"]);
    const h = headers(g.raw);
    assert.equal(h.get("from"), "keepalived@node1");
    assert.equal(h.get("to"), "admin@example.com, ops@example.com");
    assert.equal(h.get("x-mailer"), "Keepalived");
    assert.ok(h.get("date"));
  }
  assert.equal(body(smtp.got[1]!.raw).trim(), "=> VRRP Instance is now owning VRRP VIPs <=");
  assert.equal(body(smtp.got[0]!.raw).trim(), "=> VRRP Instance is no longer owning VRRP VIPs <=");
  assert.equal(n.counters().smtp_sent, 3);
});

test("smtp_alert: per instance overrides global; off by default as keepalived", async (t) => {
  const smtp = await startSmtp(t);
  const on = makeInstance("VI_ON", { smtpAlert: null });
  const off = makeInstance("VI_OFF", { virtualRouterId: 52, smtpAlert: false });
  const cfg = mailConfig(smtp.port, on, { smtpAlert: true });
  cfg.instances.push(off);
  const n = attachNotify({ on() {} }, cfg, memoryLogger());
  t.after(() => n.stop());
  n.onState(ev(off, "BACKUP", "MASTER"));
  n.onState(ev(on, "BACKUP", "MASTER"));
  await waitFor(() => smtp.got.length === 1, 5000);
  await sleep(200);
  assert.equal(smtp.got.length, 1);
  assert.match(smtp.got[0]!.raw, /VRRP Instance VI_ON - Entering MASTER state/);
  // global default off (the guide's config): nothing is sent
  const quiet = makeInstance("VI_Q");
  const n2 = attachNotify({ on() {} }, mailConfig(smtp.port, quiet), memoryLogger());
  t.after(() => n2.stop());
  n2.onState(ev(quiet, "BACKUP", "MASTER"));
  await sleep(300);
  assert.equal(smtp.got.length, 1);
});

test("SMTP server down: the state path returns at once, the failure is logged, retries are bounded", async (t) => {
  const port = await freePort(); // nobody listens
  const inst = makeInstance("VI_1", { smtpAlert: true });
  const log = memoryLogger();
  const n = attachNotify({ on() {} }, mailConfig(port, inst), log, {
    smtp: { attempts: 3, retryDelaysMs: [100] },
  });
  t.after(() => n.stop());
  const t0 = performance.now();
  n.onState(ev(inst, "BACKUP", "MASTER"));
  const took = performance.now() - t0;
  assert.ok(took < 20, `onState took ${took} ms`);
  await waitFor(() => n.counters().smtp_failed === 1, 5000, "give up");
  assert.equal(n.counters().smtp_retried, 2);
  assert.ok(log.lines.some((l) => /\[warn\] SMTP alert to \[127\.0\.0\.1\]:\d+ failed .*retry 2\/3/.test(l)));
  assert.ok(
    log.lines.some((l) => /\[error\] SMTP alert to .* failed after 3 attempt\(s\), giving up/.test(l)),
  );
});

test("a silent SMTP server (accepts, never greets) is cut at smtp_connect_timeout; stop() does not hang", async (t) => {
  const sockets: Socket[] = [];
  let accepted = 0;
  const silent = createServer((s) => {
    accepted++;
    sockets.push(s);
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as { port: number }).port;
  const inst = makeInstance("VI_1", { smtpAlert: true });
  const n = attachNotify({ on() {} }, mailConfig(port, inst, { smtpConnectTimeout: 300 }), memoryLogger(), {
    smtp: { attempts: 2, retryDelaysMs: [50] },
    stopBoundMs: 200,
  });
  const t0 = performance.now();
  n.onState(ev(inst, "BACKUP", "MASTER"));
  assert.ok(performance.now() - t0 < 20);
  await waitFor(() => n.counters().smtp_failed === 1, 5000, "give up");
  assert.equal(accepted, 2);
  const t1 = performance.now();
  n.onState(ev(inst, "MASTER", "BACKUP"));
  await n.stop();
  assert.ok(performance.now() - t1 < 1500, "stop bounded");
});

test("a server that comes back is reached by a retry", async (t) => {
  const port = await freePort();
  const inst = makeInstance("VI_1", { smtpAlert: true });
  const log = memoryLogger();
  const n = attachNotify({ on() {} }, mailConfig(port, inst), log, {
    smtp: { attempts: 3, retryDelaysMs: [600] },
  });
  t.after(() => n.stop());
  n.onState(ev(inst, "BACKUP", "MASTER"));
  await waitFor(() => n.counters().smtp_retried === 1, 5000, "first failure");
  const smtp = await startSmtp(t, port);
  await waitFor(() => smtp.got.length === 1, 5000, "delivered on retry");
  assert.equal(n.counters().smtp_sent, 1);
});
