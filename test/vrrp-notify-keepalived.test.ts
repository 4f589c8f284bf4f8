/**
 * Notify scripts over election, failover and shutdown, onair against real
 * keepalived in the same scenario (the guide's section C, weight -51, two
 * nodes, the guide's check_nginx.sh): every notify_* and `notify` call is
 * recorded with its arguments, and onair's sequence per node must equal
 * keepalived's. keepalived forks a transition's scripts concurrently, so the
 * specific scripts and the generic `notify` are compared as two sequences.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { type Proc, sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { createLab, holders, keepalivedArgs, type Lab, waitHolder } from "./helpers/netns.js";
import {
  guideCheckConfig,
  startHealthNode,
  startWeb,
  stopWeb,
  VIP,
  writeCheckScript,
} from "./vrrp-health-lab.js";

function recorderScript(dir: string): string {
  const p = join(dir, "record.sh");
  writeFileSync(p, '#!/bin/sh\nout="$1"\nshift\necho "$*" >> "$out"\n');
  chmodSync(p, 0o755);
  return p;
}

function notifyLines(rec: string, log: string): string {
  return [
    `    notify_master "${rec} ${log} master"`,
    `    notify_backup "${rec} ${log} backup"`,
    `    notify_fault "${rec} ${log} fault"`,
    `    notify_stop "${rec} ${log} stop"`,
    `    notify "${rec} ${log} notify"`,
  ].join("\n");
}

type Kind = "onair" | "keepalived";

function startNode(t: TestContext, kind: Kind, ns: string, conf: string, dir: string, name: string): Proc {
  if (kind === "onair") return startHealthNode(t, ns, conf);
  const pid = join(dir, `${name}-keepalived.pid`);
  const vrrpPid = join(dir, `${name}-vrrp.pid`);
  const p = startProcess(t, "ip", keepalivedArgs(ns, conf, dir, name));
  // keepalived's VRRP child is not ours: make sure it is gone too, by its PID file.
  t.after(async () => {
    for (const f of [vrrpPid, pid]) {
      if (!existsSync(f)) continue;
      const n = Number(readFileSync(f, "utf8"));
      try {
        if (n > 1) process.kill(n, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  });
  return p;
}

async function ready(kind: Kind, p: Proc): Promise<void> {
  if (kind === "onair") await waitFor(() => p.stderr().includes("READY"), 20_000, "onair ready");
  else
    await waitFor(
      () => /Entering BACKUP STATE|VRRP_Instance\(VI_1\)|\(VI_1\)/.test(p.stdout() + p.stderr()),
      20_000,
      "keepalived up",
    );
}

async function scenario(t: TestContext, kind: Kind): Promise<{ node1: string[]; node2: string[] }> {
  const dir = tempDir(t);
  const lab: Lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
  ]);
  const check = writeCheckScript(dir);
  const rec = recorderScript(dir);
  const log1 = join(dir, "node1.notify");
  const log2 = join(dir, "node2.notify");
  const conf1 = join(dir, "node1.conf");
  const conf2 = join(dir, "node2.conf");
  writeFileSync(
    conf1,
    guideCheckConfig({
      script: check,
      weight: -51,
      priority: 150,
      state: "MASTER",
      extra: notifyLines(rec, log1),
    }),
  );
  writeFileSync(
    conf2,
    guideCheckConfig({
      script: check,
      weight: -51,
      priority: 100,
      state: "BACKUP",
      extra: notifyLines(rec, log2),
    }),
  );
  const web1 = await startWeb(t, lab.node("node1").ns, "node1");
  await startWeb(t, lab.node("node2").ns, "node2");
  const n1ns = lab.node("node1").ns;
  const n2ns = lab.node("node2").ns;

  // election: node2 alone becomes MASTER, then node1 preempts it
  const n2 = startNode(t, kind, n2ns, conf2, dir, "node2");
  t.after(() => {
    if (process.env.ONAIR_TEST_VERBOSE)
      process.stderr.write(`--- ${kind} node2\n${n2.stdout()}${n2.stderr()}`);
  });
  await ready(kind, n2);
  await waitHolder(n2ns, VIP, performance.now(), 10_000);
  const n1 = startNode(t, kind, n1ns, conf1, dir, "node1");
  t.after(() => {
    if (process.env.ONAIR_TEST_VERBOSE)
      process.stderr.write(`--- ${kind} node1\n${n1.stdout()}${n1.stderr()}`);
  });
  await ready(kind, n1);
  await waitHolder(n1ns, VIP, performance.now(), 10_000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 5000, "node1 sole holder");
  await sleep(500);
  // failover: nginx stops on node1
  await stopWeb(web1);
  await waitHolder(n2ns, VIP, performance.now(), 10_000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node2", 5000, "node2 sole holder");
  await sleep(500);
  // failback: nginx starts again
  await startWeb(t, n1ns, "node1");
  await waitHolder(n1ns, VIP, performance.now(), 12_000);
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", 5000, "node1 sole holder again");
  await sleep(500);
  // shutdown: node1 first (node2 takes over), then node2
  n1.kill("SIGTERM");
  await n1.exited;
  await waitHolder(n2ns, VIP, performance.now(), 10_000);
  await sleep(1000);
  n2.kill("SIGTERM");
  await n2.exited;
  await sleep(500);
  const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8").trim().split("\n") : []);
  return { node1: read(log1), node2: read(log2) };
}

function split(lines: string[]): { specific: string[]; generic: string[] } {
  return {
    specific: lines.filter((l) => !l.startsWith("notify")),
    generic: lines.filter((l) => l.startsWith("notify")),
  };
}

test("notify scripts: onair's calls over election, failover, failback and shutdown match keepalived's", async (t) => {
  const ka = await scenario(t, "keepalived");
  t.diagnostic(`keepalived node1: ${ka.node1.join(" ; ")}`);
  t.diagnostic(`keepalived node2: ${ka.node2.join(" ; ")}`);
  const oa = await scenario(t, "onair");
  t.diagnostic(`onair node1: ${oa.node1.join(" ; ")}`);
  t.diagnostic(`onair node2: ${oa.node2.join(" ; ")}`);
  for (const node of ["node1", "node2"] as const) {
    const k = split(ka[node]);
    const o = split(oa[node]);
    assert.deepEqual(o.specific, k.specific, `${node}: notify_* sequence`);
    assert.deepEqual(o.generic, k.generic, `${node}: notify sequence`);
  }
  // and onair keeps transition order within the node's combined list
  for (const node of ["node1", "node2"] as const) {
    const states = oa[node].map((l) =>
      l.startsWith("notify") ? l.split(" ")[3]!.toLowerCase() : l.split(" ")[0]!,
    );
    for (let i = 1; i < states.length; i += 2)
      assert.equal(states[i], states[i - 1], `${node} pairs in order`);
  }
});
