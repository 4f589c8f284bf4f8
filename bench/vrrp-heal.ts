/**
 * Partition-heal outages (issue 7), onair vs keepalived, same harness, same run:
 *   node --import tsx bench/vrrp-heal.ts [heals=15] [pairs=onair,keepalived,onair+keepalived,keepalived+onair]
 * Two nodes with the guide's section B configs (node1 150, node2 100,
 * advert_int 1) and a client on a bridge in network namespaces; a probe in the
 * client opens a TCP connection to a web server on the VIP every 10 ms. Each
 * heal: node1's port leaves the bridge with its carrier up (both nodes
 * MASTER, the client follows node2), stays out 0.2–1.2 s more (a random phase
 * against the adverts), comes back; the outage is the longest gap between
 * answered probes until node1 answers again. The client keeps the kernel's
 * default neighbour timers. A pair "a+b" is node1 (the winner) a, node2 b.
 * Prints min/median/max, the number of heals over 1 s, and whether node1 was
 * the sole holder with the client's ARP entry naming it after each heal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  healLab,
  type Impl,
  partitionAndHeal,
  settled,
  startNode,
  startProbe,
  summary,
} from "../test/vrrp-partition-lab.js";

const cleanups: (() => unknown)[] = [];
const ctx = {
  after: (fn: () => unknown) => cleanups.push(fn),
  diagnostic: () => {},
} as unknown as TestContext;

async function runPair(n1: Impl, n2: Impl, heals: number): Promise<number[]> {
  const mark = cleanups.length;
  const dir = mkdtempSync(join(tmpdir(), "onair-bench-heal-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const out: number[] = [];
  let clean = 0;
  try {
    const lab = await healLab(ctx);
    await startNode(ctx, lab, dir, "node2", n2);
    await startNode(ctx, lab, dir, "node1", n1);
    const probe = await startProbe(ctx, lab);
    await settled(lab, probe);
    for (let i = 0; i < heals; i++) {
      const r = await partitionAndHeal(lab, probe);
      out.push(r.outage);
      if (r.holders.join() === "node1" && r.arpOk) clean++;
      console.error(
        `${n1}+${n2} heal ${i + 1}: ${r.outage.toFixed(0)} ms, holders ${r.holders.join(",")}, arp ${r.arpOk}`,
      );
    }
  } finally {
    for (const fn of cleanups.splice(mark).reverse()) await fn();
  }
  console.error(
    `${n1}+${n2}: ${clean}/${heals} heals ended with node1 sole holder and the client's ARP entry on it`,
  );
  return out;
}

async function main(): Promise<void> {
  const heals = Number(process.argv[2] ?? 15);
  const pairs = (process.argv[3] ?? "onair,keepalived,onair+keepalived,keepalived+onair").split(",");
  const rows: string[] = [];
  try {
    for (const p of pairs) {
      const [a, b] = (p.includes("+") ? p.split("+") : [p, p]) as [Impl, Impl];
      const xs = await runPair(a, b, heals);
      const s = summary(xs);
      const over = xs.filter((x) => x > 1000).length;
      rows.push(
        `| ${a}+${b} | ${xs.length} | ${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)} | ${over} |`,
      );
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
  console.log(`VRRP partition heal, guide configs (advert_int 1, priorities 150/100), probe every 10 ms, ms`);
  console.log("| node1 (winner) + node2 | heals | outage min / median / max | heals > 1 s |");
  console.log("| --- | --- | --- | --- |");
  for (const r of rows) console.log(r);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
