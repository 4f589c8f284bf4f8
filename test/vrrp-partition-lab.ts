/**
 * The partition-heal harness shared by test/vrrp-partition*.test.ts and
 * bench/vrrp-heal.ts: two VRRP nodes (onair or keepalived, the guide's
 * section B configs: node1 150, node2 100, advert_int 1) and a client on a
 * bridge in network namespaces; a web server on each node answers its name on
 * the VIP; a probe in the client namespace opens a fresh TCP connection to the
 * VIP every 10 ms. A partition takes node1's port off the bridge with its
 * carrier up (`ip link set PORT nomaster` in the bridge namespace): both nodes
 * become MASTER and the client follows node2. The heal puts the port back
 * (`ip link set PORT master br0`); the outage is the longest gap between two
 * answered probes from the heal until node1 answers again.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { type Proc, sleep, startProcess, waitFor } from "./helpers/env.js";
import {
  createLab,
  guideConfig,
  holders,
  ip,
  keepalivedArgs,
  type Lab,
  neighMac,
  nsExec,
  onairReady,
  startOnair,
  webServer,
} from "./helpers/netns.js";

export const VIP = "198.18.0.100";
export type Impl = "onair" | "keepalived";

const now = () => performance.timeOrigin + performance.now();

export interface Probe {
  /** Answered probes (send time, epoch ms, and which node answered), in send order. */
  answers(): { at: number; body: string }[];
}

/** Starts the probe in the client namespace: one fresh TCP connection to VIP:8080 every 10 ms. */
export async function startProbe(t: TestContext, lab: Lab): Promise<Probe> {
  const code = `const http=require("http");const T=()=>performance.timeOrigin+performance.now();
setInterval(()=>{const t0=T();const r=http.get({host:${JSON.stringify(VIP)},port:8080,path:"/",agent:false,timeout:300},(res)=>{let b="";res.on("data",(d)=>{b+=d});res.on("end",()=>process.stdout.write("S "+t0.toFixed(1)+" "+b+"\\n"))});
const k=setTimeout(()=>r.destroy(),400);r.on("close",()=>clearTimeout(k));r.on("timeout",()=>r.destroy());r.on("error",()=>{})},10);`;
  const p = startProcess(t, "ip", ["netns", "exec", lab.node("client").ns, process.execPath, "-e", code]);
  const list: { at: number; body: string }[] = [];
  let consumed = 0;
  const answers = () => {
    const out = p.stdout();
    const end = out.lastIndexOf("\n") + 1;
    if (end > consumed) {
      for (const line of out.slice(consumed, end).split("\n")) {
        const [tag, at, body] = line.split(" ");
        if (tag === "S" && at && body) list.push({ at: Number(at), body });
      }
      consumed = end;
    }
    return list;
  };
  await waitFor(() => answers().length > 0 || p.stdout().length > 0 || null, 10_000, "probe running").catch(
    () => {},
  );
  return { answers };
}

/** Client neighbour timers: kernel defaults, or short ones (a stale entry ages out in a few seconds). */
export async function setClientArp(lab: Lab, fast: boolean): Promise<void> {
  if (!fast) return;
  const ns = lab.node("client").ns;
  for (const [k, v] of [
    ["base_reachable_time_ms", "4000"],
    ["delay_first_probe_time", "1"],
    ["retrans_time_ms", "500"],
  ]) {
    await nsExec(ns, "sysctl", ["-q", "-w", `net.ipv4.neigh.eth0.${k}=${v}`]);
  }
}

export async function healLab(t: TestContext): Promise<Lab> {
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
    { name: "client", host: 50 },
  ]);
  await webServer(t, lab.node("node1").ns, "node1");
  await webServer(t, lab.node("node2").ns, "node2");
  return lab;
}

let seq = 0;
/** Starts one VRRP node (the guide's config) and waits until it runs. */
export async function startNode(
  t: TestContext,
  lab: Lab,
  dir: string,
  node: "node1" | "node2",
  impl: Impl,
  extra = "",
): Promise<Proc> {
  const conf = join(dir, `${node}-${impl}-${++seq}.conf`);
  writeFileSync(conf, guideConfig(node === "node1" ? "master" : "backup", { extra }));
  const ns = lab.node(node).ns;
  if (impl === "onair") {
    const p = startOnair(t, ns, conf);
    await waitFor(() => onairReady(p), 15_000, "onair ready");
    return p;
  }
  const p = startProcess(t, "ip", keepalivedArgs(ns, conf, dir, `${node}-${seq}`));
  await waitFor(
    () => /Entering (BACKUP|MASTER) STATE/.test(p.stdout() + p.stderr()),
    15_000,
    "keepalived ready",
  );
  return p;
}

/** Live VRRP adverts seen by tshark on one device of one namespace (wall-clock ms, source, priority). */
export interface AdvertWatch {
  adverts(): { at: number; src: string; prio: number }[];
}

export async function watchAdverts(t: TestContext, ns: string, dev: string): Promise<AdvertWatch> {
  // Not startProcess: tshark must get SIGTERM so it stops its dumpcap child (SIGKILL would orphan it).
  const p = spawn(
    "ip",
    [
      ...["netns", "exec", ns, "tshark", "-i", dev, "-l", "-n", "-Q", "-f", "ip proto 112"],
      ...["-T", "fields", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "vrrp.prio"],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  p.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  p.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((r) => {
    p.on("exit", () => r());
    p.on("error", () => r());
  });
  t.after(async () => {
    if (p.exitCode !== null || p.signalCode !== null) return;
    p.kill("SIGTERM");
    await Promise.race([exited, sleep(3000)]);
    if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  });
  await waitFor(() => /Capturing|capture/i.test(err) || out.length > 0, 15_000, "tshark up").catch(() => {});
  return {
    adverts: () =>
      out
        .split("\n")
        .map((l) => l.split("\t"))
        .filter((f) => f.length === 3)
        .map(([at, src, prio]) => ({ at: Number(at) * 1000, src: src!, prio: Number(prio) })),
  };
}

/** Which master the other hears first after the heal: decides whether the winner hears the loser at all. */
export type HealPhase = "winner first" | "loser first";

/**
 * Picks a wall-clock heal time (ms) so that the next advert after it comes from the winner (node1) or
 * from the loser (node2). The time is as far as it can be from every advert it predicts (either node's
 * last one before it and next one after it) and the two next adverts as far apart as they can be: a
 * timer that fires late, or an `ip` that starts slowly, must not flip the order. (Choosing the first
 * time with the best gap between the two next adverts put the heal a few ms after the winner's advert
 * for "loser first": a winner's advert sent 10 ms late then crossed first, 5 times in 7 under CI load.)
 */
export function pickHeal(lastWinner: number, lastLoser: number, from: number, phase: HealPhase): number {
  const next = (last: number, t: number) => last + Math.ceil((t - last) / 1000) * 1000;
  let best = { t: from + 500, score: -1 };
  for (let t = from; t < from + 2000; t += 5) {
    const w = next(lastWinner, t + 1);
    const l = next(lastLoser, t + 1);
    const first = phase === "winner first" ? w : l;
    const second = phase === "winner first" ? l : w;
    const before = Math.max(w, l) - 1000;
    const score = Math.min(t - before, first - t, second - first);
    if (first < second && score > best.score) best = { t, score };
  }
  return best.t;
}

export interface HealResult {
  /** Longest gap (ms) between answered probes from the heal until node1 answers again. */
  outage: number;
  /** Holders of the VIP once node1 answers again (+ 300 ms). */
  holders: string[];
  /** Whether the client's ARP entry for the VIP names node1's MAC then. */
  arpOk: boolean;
  /** With watches: which master's advert crossed the healed link first (as seen on the wire). */
  phase?: HealPhase;
}

/** Advert watches: node1's own adverts (in its namespace) and node2's on the bridge. */
export interface Watches {
  winner: AdvertWatch;
  bridge: AdvertWatch;
}

/** Waits until `body` answers a probe sent after `since`; returns that probe's send time. */
async function answeredBy(probe: Probe, body: string, since: number, timeoutMs: number): Promise<number> {
  const found = await waitFor(
    () => {
      const list = probe.answers();
      let hit: { at: number } | null = null;
      for (let i = list.length - 1; i >= 0 && list[i]!.at > since; i--)
        if (list[i]!.body === body) hit = list[i]!;
      return hit;
    },
    timeoutMs,
    `${body} answering the client`,
    10,
  );
  return found.at;
}

/** Longest gap between consecutive answers with the later one in (from, to]. */
export function longestGap(answers: { at: number }[], from: number, to: number): number {
  let gap = 0;
  for (let i = 1; i < answers.length; i++) {
    const b = answers[i]!.at;
    if (b <= from || b > to) continue;
    gap = Math.max(gap, b - answers[i - 1]!.at);
  }
  return gap;
}

/** node1 holds the VIP alone and answers the client (start of each cycle). */
export async function settled(lab: Lab, probe: Probe, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await holders(lab, VIP)).join() === "node1", timeoutMs, "node1 sole holder");
  await answeredBy(probe, "node1", now(), timeoutMs);
}

/** One partition of node1's port and its heal; `healTimeoutMs` bounds the wait for node1 to answer again. */
export async function partitionAndHeal(
  lab: Lab,
  probe: Probe,
  healTimeoutMs = 90_000,
  aim?: { phase: HealPhase; watches: Watches },
): Promise<HealResult> {
  const port = lab.node("node1").port;
  const cut = now();
  await ip("-n", lab.bridgeNs, "link", "set", port, "nomaster");
  await waitFor(async () => (await holders(lab, VIP)).length === 2, 10_000, "both MASTER while apart");
  await answeredBy(probe, "node2", cut, 10_000);
  let healWall = 0;
  if (aim) {
    // Heal where the chosen master's next advert comes first.
    await new Promise((r) => setTimeout(r, 1200));
    const last = (w: AdvertWatch, src: string) =>
      w
        .adverts()
        .filter((a) => a.src === src && a.prio > 0)
        .at(-1)?.at;
    const lw = last(aim.watches.winner, lab.node("node1").address);
    const ll = last(aim.watches.bridge, lab.node("node2").address);
    if (lw === undefined || ll === undefined) throw new Error("no adverts seen to aim the heal");
    healWall = pickHeal(lw, ll, Date.now() + 100, aim.phase);
    await new Promise((r) => setTimeout(r, Math.max(0, healWall - Date.now())));
  } else {
    // A random phase against the adverts.
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 1000));
  }
  const heal = now();
  healWall = Date.now();
  await ip("-n", lab.bridgeNs, "link", "set", port, "master", "br0");
  const back = await answeredBy(probe, "node1", heal, healTimeoutMs);
  await new Promise((r) => setTimeout(r, 300));
  const outage = longestGap(probe.answers(), heal, back);
  const mac = await neighMac(lab.node("client").ns, VIP);
  const r: HealResult = { outage, holders: await holders(lab, VIP), arpOk: mac === lab.node("node1").mac };
  if (aim) {
    // On node1's own link after the heal: did it receive node2's advert before it sent its own first one?
    // (tshark's output lags: wait until it shows a second past the heal.)
    await waitFor(
      () => aim.watches.winner.adverts().some((a) => a.at >= healWall + 1100) || null,
      5_000,
      "capture past the heal",
    );
    const after = aim.watches.winner.adverts().filter((a) => a.at >= healWall && a.prio > 0);
    const w = after.find((a) => a.src === lab.node("node1").address);
    const l = after.find((a) => a.src === lab.node("node2").address);
    r.phase = l && (!w || l.at < w.at) ? "loser first" : "winner first";
    if (process.env.ONAIR_HEAL_DEBUG) console.error(JSON.stringify({ aim: aim.phase, healWall, after }));
  }
  return r;
}

export function summary(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? 0, median: s[Math.floor(s.length / 2)] ?? 0, max: s[s.length - 1] ?? 0 };
}
