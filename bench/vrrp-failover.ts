/**
 * VRRP failover times, onair vs keepalived, same harness, same run:
 *   node --import tsx bench/vrrp-failover.ts [runs=5]
 * Two nodes with the guide's section B configs (node1 master 150, node2
 * backup 100, both the same implementation) on a bridge in network
 * namespaces. For each case (SIGTERM, SIGKILL, link cut on the bridge side)
 * and each run: node1 holds the VIP, waits a random phase, is hit; we time
 * the VIP's arrival on node2 (`ip monitor address`, event-driven) from the
 * action, and from the protocol's own deadline: the master's last advert
 * (seen by tshark on the bridge) + the backup's Master_Down_Interval, or its
 * priority-0 advert + Skew_Time. Prints min/median/max of both per case.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { masterDownInterval, skewTime } from "../src/engine/vrrp/vrrp-timers.js";
import { type Proc, projectRoot, sleep, startProcess, waitFor } from "../test/helpers/env.js";
import {
  createLab,
  guideConfig,
  hasAddress,
  keepalivedArgs,
  type Lab,
  onairVrrpArgs,
  setLink,
} from "../test/helpers/netns.js";

type Impl = "onair" | "keepalived";
type Case = "SIGTERM" | "SIGKILL" | "link cut";
const VIP = "198.18.0.100";
const CASES: Case[] = ["SIGTERM", "SIGKILL", "link cut"];

const cleanups: (() => unknown)[] = [];
const ctx = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;

/** Watches a namespace for the VIP being added; resolves with Date.now() of the event. */
function watchVip(ns: string): { next(): Promise<number>; stop(): void } {
  const p = spawn("ip", ["-n", ns, "monitor", "address"], { stdio: ["ignore", "pipe", "ignore"] });
  let waiter: ((t: number) => void) | null = null;
  p.stdout.on("data", (d: Buffer) => {
    const now = Date.now();
    for (const line of d.toString().split("\n")) {
      if (line.includes(`inet ${VIP}/`) && !line.startsWith("Deleted") && waiter) {
        waiter(now);
        waiter = null;
      }
    }
  });
  return {
    next: () => new Promise((r) => (waiter = r)),
    stop: () => p.kill("SIGKILL"),
  };
}

/** Live tshark on the bridge: node1's adverts (epoch ms, priority); `last(t)` is the last one sent before t. */
function watchAdverts(lab: Lab): { last(before: number): { at: number; prio: number } | null; stop(): void } {
  const p = spawn(
    "ip",
    [
      "netns",
      "exec",
      lab.bridgeNs,
      "tshark",
      "-l",
      "-i",
      "br0",
      "-f",
      "ip proto 112 and src host 198.18.0.1",
      "-T",
      "fields",
      "-e",
      "frame.time_epoch",
      "-e",
      "vrrp.prio",
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const seen: { at: number; prio: number }[] = [];
  let rest = "";
  p.stdout.on("data", (d: Buffer) => {
    const lines = (rest + d.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) {
      const [t, prio] = l.trim().split(/\s+/);
      if (t && prio) seen.push({ at: Number(t) * 1000, prio: Number(prio) });
      if (seen.length > 1000) seen.splice(0, 500);
    }
  });
  return {
    last: (before) => seen.filter((a) => a.at <= before).at(-1) ?? null,
    stop: () => p.kill("SIGINT"),
  };
}

function startNode(impl: Impl, lab: Lab, dir: string, node: string, conf: string, tag: string): Proc {
  const ns = lab.node(node).ns;
  if (impl === "onair") return startProcess(ctx, "ip", onairVrrpArgs(ns, conf), { cwd: projectRoot });
  return startProcess(ctx, "ip", keepalivedArgs(ns, conf, dir, tag));
}

function hardKill(impl: Impl, p: Proc, dir: string, tag: string): void {
  if (impl === "keepalived") {
    // The VRRP child first: killed after its parent it would get SIGTERM (and send priority 0) first.
    try {
      process.kill(Number(readFileSync(`${dir}/${tag}-vrrp.pid`, "utf8")), "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  p.kill("SIGKILL");
}

async function measure(
  impl: Impl,
  runs: number,
): Promise<Map<Case, { fromAction: number[]; overLimit: number[] }>> {
  const dir = mkdtempSync(join(tmpdir(), "onair-bench-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const lab = await createLab(ctx, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
  ]);
  const c1 = join(dir, "node1.conf");
  const c2 = join(dir, "node2.conf");
  writeFileSync(c1, guideConfig("master"));
  writeFileSync(c2, guideConfig("backup"));
  const vip2 = watchVip(lab.node("node2").ns);
  const adverts = watchAdverts(lab);
  startNode(impl, lab, dir, "node2", c2, "n2");
  await sleep(1500);
  const results = new Map<Case, { fromAction: number[]; overLimit: number[] }>();
  let seq = 0;
  for (const c of CASES) {
    const r = { fromAction: [] as number[], overLimit: [] as number[] };
    results.set(c, r);
    for (let i = 0; i < runs; i++) {
      const tag = `n1-${++seq}`;
      const n1 = startNode(impl, lab, dir, "node1", c1, tag);
      await waitFor(
        async () =>
          (await hasAddress(lab.node("node1").ns, VIP)) && !(await hasAddress(lab.node("node2").ns, VIP)),
        15_000,
        "node1 sole holder",
        50,
      );
      await sleep(1500 + Math.random() * 1000);
      const arrived = vip2.next();
      const t0 = Date.now();
      if (c === "SIGTERM") n1.kill("SIGTERM");
      else if (c === "SIGKILL") hardKill(impl, n1, dir, tag);
      else await setLink(lab.bridgeNs, lab.node("node1").port, false);
      const at = await Promise.race([arrived, sleep(10_000).then(() => Number.NaN)]);
      await sleep(300); // let tshark's lines catch up
      const last = adverts.last(at);
      r.fromAction.push(at - t0);
      if (last) {
        const limit =
          last.prio === 0 ? last.at + skewTime(2, 100, 1000) : last.at + masterDownInterval(2, 100, 1000);
        r.overLimit.push(at - limit);
      }
      if (c === "link cut") {
        hardKill(impl, n1, dir, tag);
        await setLink(lab.bridgeNs, lab.node("node1").port, true);
      } else if (c === "SIGTERM") await n1.exited;
      await n1.exited;
      await sleep(300);
    }
  }
  vip2.stop();
  adverts.stop();
  return results;
}

const stats = (xs: number[]) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return "n/a";
  const med = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `${s[0]!.toFixed(0)} / ${med.toFixed(0)} / ${s.at(-1)!.toFixed(0)}`;
};

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const all = new Map<Impl, Map<Case, { fromAction: number[]; overLimit: number[] }>>();
  try {
    for (const impl of ["onair", "keepalived"] as Impl[]) all.set(impl, await measure(impl, runs));
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
  console.log(`VRRP failover, guide configs (advert_int 1, backup priority 100), ${runs} runs each, ms`);
  console.log(
    `protocol: Skew_Time ${skewTime(2, 100, 1000).toFixed(1)}, Master_Down_Interval ${masterDownInterval(2, 100, 1000).toFixed(1)}`,
  );
  console.log("| case | impl | from action min/med/max | beyond protocol deadline min/med/max |");
  console.log("| --- | --- | --- | --- |");
  for (const c of CASES) {
    for (const impl of ["onair", "keepalived"] as Impl[]) {
      const r = all.get(impl)!.get(c)!;
      console.log(`| ${c} | ${impl} | ${stats(r.fromAction)} | ${stats(r.overLimit)} |`);
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
