/**
 * RTMP fan-out benchmark: onair vs nginx + Debian's libnginx-mod-rtmp, in the
 * same run. One ~2.5 Mbit/s publisher (ffmpeg -re, looped) per server and
 * 10/50/100/200 rtmpdump players. Each server is pinned to core 1 (taskset),
 * publishers and players to core 0. Figures per server and player count:
 * CPU seconds per delivered gigabit (CPU from schedstat, to the nanosecond),
 * RSS per player, players keeping up.
 *
 *   node --import tsx bench/rtmp-fanout.ts [--players 10,50,100,200 (a count may repeat: 10,10,10)] [--window 25] [--warmup 5] [--prewarm 30] [--prewarm-players 1] [--prewarm-sequential 10] [--baseline 40] [--flush-interval MS] [--node-args "FLAGS"] [--onair-stdout FILE]
 *
 * onair runs as shipped: `npm run build`, then the compiled CLI with the
 * node options it ships with (`node --single-threaded --no-sparkplug --no-short-builtin-calls --interrupt-budget-factor-for-feedback-allocation=64 --interrupt-budget-for-feedback-allocation=8000 dist/cli/main.js -c
 * FILE`, NODE_FLAGS; `--node-args` to change them) on the same rtmp block as nginx's
 * (`--flush-interval` adds onair's `flush_interval`; default: its default).
 * Not under tsx: its esbuild output gives every named function a `name`
 * property, ~2 KiB of dictionary properties per connection that the
 * compiled code does not have.
 *
 * Each player count gets fresh servers (since run L): a server that served
 * an earlier round keeps what it freed (nginx its pools and malloc arenas,
 * onair the old-generation garbage of the previous players' connections
 * until V8's next full collection), so later rounds depended on earlier
 * ones. Before it is measured, each pair of servers ingests its publisher
 * for `--prewarm` seconds (default 30), with `--prewarm-players` players
 * (default 1) for the first half of it, so onair does not pay for compiling
 * its ingest and playback paths (about 400 KiB of machine code and a few CPU
 * seconds, once), which a long-running server has long done. Only partly:
 * `--trace-opt` shows a lone publisher's ingest path still being compiled
 * 70-130 s after it starts, so with the default some of it lands in the
 * window (docs/benchmarks.md, session 7; `--prewarm 180` read worse, not
 * better, at 10 players). Then `--prewarm-sequential` players (default 10,
 * since session 10: runs E1-F3, CA on) each play 1.5 s, one after another: a server that has been
 * up for a while has set up many connections, and V8 allocates a function's
 * feedback after it has run ~8 times and compiles the connection paths after
 * more, so with one pre-warm player a round of 10 read V8 learning the
 * connection setup (~60 KiB, once: heap snapshots, docs/benchmarks.md
 * sessions 9 and 10) as memory per player. There is still no warm-up round
 * of players at once: both allocators keep what they freed, so RSS per
 * player would then read as ~0 for nginx (players one at a time let nginx
 * keep at most one player's memory, ~12 KiB, against the round's 10 to 200;
 * `--prewarm-players 0 --prewarm-sequential 0` measures without them).
 *
 * RSS per player = (RSS over the measurement window − RSS over the
 * `--baseline` seconds (default 40) before the players join) / players, RSS
 * sampled every 200 ms for both servers alike, three ways (see
 * rssSamplesKb): medians, means over whole GC cycles, floors; and the
 * anonymous part of RSS over whole GC cycles (RssAnon: without the pages of
 * the executable read in from disk as new code paths first run, which are
 * shared and which the kernel can drop; node's binary is ~100 MB, so a
 * first join pages in a few hundred KiB of it). A single
 * sample of a garbage-collected heap says more about when the last
 * collection ran than about what each player holds. Until run J, onair's
 * media buffers (~300 KB/s of garbage) added a 1 → 6 MB cycle of their
 * own; since the PacketArena (run K) they are reused and only V8's young
 * generation moves.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, projectRoot, sleep } from "../test/helpers/env.js";
import { makeMedia } from "../test/helpers/media.js";
import { onairNodeArgs } from "./lib/as-shipped.js";
import { cpuTimes, median, memKb, runSeconds } from "./lib/proc-stat.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const COUNTS = arg("players", "10,50,100,200").split(",").map(Number);
/** Measurement window (s): CPU, delivery and RSS; two or more of onair's GC cycles at 10 players (~8-12 s each). */
const WINDOW_S = Number(arg("window", "25"));
const WARMUP_S = Number(arg("warmup", "5"));
/** RSS baseline window before the players join (s): two or more of onair's GC cycles with the publisher alone (~14 s each). */
const BASELINE_S = Number(arg("baseline", "40"));
const PREWARM_S = Number(arg("prewarm", "30"));
const PREWARM_PLAYERS = Number(arg("prewarm-players", "1"));
/** Players that each play 1.5 s, one after another, after the pre-warm player leaves (see the header). */
const PREWARM_SEQUENTIAL = Number(arg("prewarm-sequential", "10"));
const SERVER_CORE = arg("server-core", "1");
const CLIENT_CORE = arg("client-core", "0");
/** onair's flush_interval (ms); default: the config default. */
/**
 * --ramp: one pair of servers, players added count after count and kept
 * (10, then 40 more, ...): besides RSS per player against the baseline, the
 * marginal RSS per player between two counts, which leaves out what a
 * server pays once whatever the number of players (onair: compiling its
 * per-player paths for many players, ~0.5 MB of code and compiler memory).
 */
const RAMP = argv.includes("--ramp");
/**
 * --onair-stdout FILE: onair's standard output (V8's traces) appended there, each line stamped
 * with the bench's clock (s), and so are the bench's steps and RSS samples (`#` lines).
 */
const ONAIR_STDOUT = argv.includes("--onair-stdout") ? arg("onair-stdout", "") : null;
function mark(what: string): void {
  if (ONAIR_STDOUT) appendFileSync(ONAIR_STDOUT, `${(performance.now() / 1000).toFixed(2)} # ${what}\n`);
}
const FLUSH_INTERVAL = argv.includes("--flush-interval") ? Number(arg("flush-interval", "")) : null;
/**
 * --node-args "...": onair's node options, space-separated, instead of the
 * ones it ships with (NODE_FLAGS: what `npm start` and the bin use);
 * `--node-args ""` runs plain `node`.
 */
const NODE_ARGS = onairNodeArgs(argv);

const children = new Set<ChildProcess>();
function run(cmd: string, args: string[], core: string): ChildProcess {
  const c = spawn("taskset", ["-c", core, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(c);
  c.on("exit", () => children.delete(c));
  return c;
}
function killAll(): void {
  for (const c of children) if (c.pid) process.kill(c.pid, "SIGKILL");
}
process.on("exit", killAll);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143)); // exit runs killAll: no server or player left behind

interface Server {
  name: string;
  port: number;
  pid: number;
}

/** The rtmp block both servers run (the same text). */
function rtmpBlock(port: number, onair: boolean): string {
  return `rtmp {
${onair && FLUSH_INTERVAL !== null ? `  flush_interval ${FLUSH_INTERVAL}ms;\n` : ""}  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live { live on; }
  }
}
`;
}

function writeConf(prefix: string, head: string, port: number, onair: boolean): string {
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(join(prefix, "logs"), { recursive: true });
  const conf = join(prefix, "server.conf");
  writeFileSync(
    conf,
    `${head}worker_processes 1;
daemon off;
master_process off;
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/logs/server.pid;
events { worker_connections 4096; }
${rtmpBlock(port, onair)}`,
  );
  return conf;
}

async function startNginx(dir: string): Promise<Server> {
  const port = await freePort();
  const prefix = join(dir, "nginx");
  const conf = writeConf(prefix, "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n", port, false);
  const c = run("nginx", ["-p", prefix, "-c", conf, "-g", "user root;"], SERVER_CORE);
  await waitListening(port);
  return { name: "nginx-rtmp", port, pid: c.pid! };
}

/** onair as shipped: the compiled CLI (`npm run build` first), not the TypeScript sources under tsx. */
async function startOnair(dir: string): Promise<Server> {
  const port = await freePort();
  const prefix = join(dir, "onair");
  const conf = writeConf(prefix, "", port, true);
  const c = run(
    process.execPath,
    [...NODE_ARGS, join(projectRoot, "dist", "cli", "main.js"), "-p", prefix, "-c", conf],
    SERVER_CORE,
  );
  c.stderr?.on("data", (d) => process.stderr.write(`[onair] ${d}`));
  if (ONAIR_STDOUT) {
    // Each line stamped with the bench's clock, so that a V8 trace (`--node-args "... --trace-gc"`) lines up with the rounds.
    let tail = "";
    c.stdout?.on("data", (d: Buffer) => {
      const lines = (tail + d.toString("latin1")).split("\n");
      tail = lines.pop()!;
      const t = (performance.now() / 1000).toFixed(2);
      appendFileSync(ONAIR_STDOUT, lines.map((l) => `${t} ${l}\n`).join(""));
    });
  }
  await waitListening(port);
  // taskset execs node: the pid is the server's.
  return { name: "onair", port, pid: c.pid! };
}

async function waitListening(port: number): Promise<void> {
  const { connect } = await import("node:net");
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, "127.0.0.1");
      s.on("connect", () => {
        s.destroy();
        r(true);
      });
      s.on("error", () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

interface Player {
  proc: ChildProcess;
  /** Last progress line: kB received and media seconds. */
  kb: number;
  sec: number;
}

function startPlayer(url: string): Player {
  const proc = run("rtmpdump", ["-v", "-r", url, "-o", "/dev/null"], CLIENT_CORE);
  const p: Player = { proc, kb: 0, sec: 0 };
  let tail = "";
  proc.stderr!.on("data", (d: Buffer) => {
    tail = (tail + d.toString("latin1")).slice(-400);
    const all = [...tail.matchAll(/([\d.]+) kB \/ ([\d.]+) sec/g)];
    const last = all.at(-1);
    if (last) {
      p.kb = Number(last[1]);
      p.sec = Number(last[2]);
    }
  });
  return p;
}

interface Row {
  server: string;
  players: number;
  cpuPerGbit: number;
  rssPerPlayerKb: number;
  /** The same from the mean over whole GC cycles (see rssSamplesKb). */
  rssCyclesPerPlayerKb: number;
  /** --ramp: whole-cycle RSS added per player since the previous count (NaN otherwise). */
  rssMarginalKb: number;
  /** The same from the lowest sample of each window (see rssSamplesKb). */
  rssFloorPerPlayerKb: number;
  /** Whole-cycle means of the anonymous part of RSS (RssAnon: without the executable's pages read in). */
  anonCyclesPerPlayerKb: number;
  keepingUp: number;
  deliveredMbit: number;
  cpuPct: number;
  /** Share of the CPU time spent in the kernel (TCP send, loopback delivery). */
  sysShare: number;
}

/**
 * RSS sampled every 200 ms for `ms`: the median, the mean over whole GC
 * cycles, and the lowest sample.
 *
 * A garbage-collected heap's RSS is a sawtooth: V8's young generation
 * fills between two scavenges, faster the more is allocated, and is emptied
 * at once. Until session 14 onair's teeth were ~1 MiB high and ~10-15 s long;
 * the median of a window that holds 1.5 or 2.5 teeth sat anywhere up a
 * tooth: ±250 KiB, i.e. ±25 KiB per player at 10 players, against a 10 KiB
 * signal. Since then the RTMP server collects the young generation once it
 * holds 256 KiB (engine/memory-reducer.ts): teeth of ~200-270 KiB every
 * ~2-4 s. The "cycles" figure is the mean over the samples from the first to
 * the last drop of the window (a drop: RSS falls by more than 128 KiB from
 * one sample to the next; it was 256 KiB, which missed half the smaller
 * teeth), a whole number of teeth, so it is the time-averaged RSS whatever
 * the phase; with fewer than two drops it is the mean of the window. The
 * floor is the lowest sample: right after a scavenge, what stays. nginx's
 * RSS is flat, so all three are the same for it.
 */
async function rssSamplesKb(pid: number, ms: number): Promise<Sample> {
  const xs: number[] = [];
  const anon: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const m = memKb(pid);
    xs.push(m.rss);
    anon.push(m.anon);
    mark(`rss ${pid} ${m.rss} ${m.anon}`);
    await sleep(200);
  }
  return { median: median(xs), cycles: cycleMean(xs), floor: Math.min(...xs), anonCycles: cycleMean(anon) };
}

/** Mean of `xs` between its first and last drop of more than 128 KiB (whole GC cycles); all of it with fewer than two. */
export function cycleMean(xs: number[]): number {
  const drops: number[] = [];
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! - xs[i]! > 128) drops.push(i);
  const part = drops.length >= 2 ? xs.slice(drops[0], drops.at(-1)) : xs;
  return part.reduce((a, b) => a + b, 0) / part.length;
}

interface Sample {
  median: number;
  cycles: number;
  floor: number;
  anonCycles: number;
}

/** A fresh round: baseline, `n` players join, one window, players leave. */
async function measure(s: Server, n: number): Promise<Row> {
  await sleep(1000);
  mark(`${s.name} ${s.pid} baseline`);
  const rss0 = await rssSamplesKb(s.pid, BASELINE_S * 1000);
  const players: Player[] = [];
  const { row } = await step(s, players, n, rss0, null);
  for (const p of players) if (p.proc.pid) process.kill(p.proc.pid, "SIGKILL");
  await sleep(1500);
  return row;
}

/** --ramp: one baseline, then players added up to each count and kept. */
async function measureRamp(s: Server, counts: number[]): Promise<Row[]> {
  await sleep(1000);
  const rss0 = await rssSamplesKb(s.pid, BASELINE_S * 1000);
  const players: Player[] = [];
  const rows: Row[] = [];
  let prev: { n: number; rss: Sample } = { n: 0, rss: rss0 };
  for (const n of counts) {
    const { row, rss } = await step(s, players, n, rss0, prev);
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
    prev = { n, rss };
  }
  for (const p of players) if (p.proc.pid) process.kill(p.proc.pid, "SIGKILL");
  await sleep(1500);
  return rows;
}

/** Players join until there are `n`; after the warm-up, one window of CPU, delivery and RSS. */
async function step(
  s: Server,
  players: Player[],
  n: number,
  rss0: Sample,
  prev: { n: number; rss: Sample } | null,
): Promise<{ row: Row; rss: Sample }> {
  const url = `rtmp://127.0.0.1:${s.port}/live/bench`;
  mark(`${s.name} ${s.pid} join ${n}`);
  for (let i = players.length; i < n; i++) {
    players.push(startPlayer(url));
    if (i % 10 === 9) await sleep(50);
  }
  await sleep(WARMUP_S * 1000);
  const { user: u1, system: s1 } = cpuTimes(s.pid);
  const run1 = runSeconds(s.pid);
  const t1 = performance.now();
  const start = players.map((p) => ({ kb: p.kb, sec: p.sec }));
  mark(`${s.name} ${s.pid} window`);
  const rss1 = await rssSamplesKb(s.pid, WINDOW_S * 1000);
  mark(`${s.name} ${s.pid} end`);
  const { user: u2, system: s2 } = cpuTimes(s.pid);
  const run2 = runSeconds(s.pid);
  const elapsed = (performance.now() - t1) / 1000;
  let kb = 0;
  let keeping = 0;
  players.forEach((p, i) => {
    kb += p.kb - start[i]!.kb;
    if (p.sec - start[i]!.sec >= 0.9 * elapsed) keeping++;
  });
  const gbit = (kb * 1024 * 8) / 1e9;
  // CPU from schedstat (ns); the kernel's share from the tick counts.
  const cpu = run2 - run1;
  const ticks = u2 - u1 + (s2 - s1);
  const row: Row = {
    server: s.name,
    players: n,
    cpuPerGbit: cpu / gbit,
    rssPerPlayerKb: (rss1.median - rss0.median) / n,
    rssCyclesPerPlayerKb: (rss1.cycles - rss0.cycles) / n,
    rssMarginalKb: prev ? (rss1.cycles - prev.rss.cycles) / (n - prev.n) : Number.NaN,
    rssFloorPerPlayerKb: (rss1.floor - rss0.floor) / n,
    anonCyclesPerPlayerKb: (rss1.anonCycles - rss0.anonCycles) / n,
    keepingUp: keeping,
    deliveredMbit: (gbit * 1000) / elapsed,
    cpuPct: (cpu / elapsed) * 100,
    sysShare: ticks > 0 ? (s2 - s1) / ticks : 0,
  };
  return { row, rss: rss1 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "onair-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const media = makeMedia({ seconds: 30, gop: 2, bitrate: "2300k", size: "1280x720" });
  execFileSync("npm", ["run", "build"], { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] });
  const rows: Row[] = [];
  for (const n of RAMP ? [0] : COUNTS) {
    // Fresh servers for each player count (see the header): nothing left over from a previous round.
    const round = new Set(children);
    const servers = [await startNginx(dir), await startOnair(dir)];
    for (const s of servers) {
      const pub = run(
        "ffmpeg",
        [
          "-hide_banner",
          "-loglevel",
          "error",
          "-re",
          "-stream_loop",
          "-1",
          "-i",
          media,
          "-c",
          "copy",
          "-f",
          "flv",
          `rtmp://127.0.0.1:${s.port}/live/bench`,
        ],
        CLIENT_CORE,
      );
      pub.stderr?.on("data", (d) => process.stderr.write(`[publisher ${s.name}] ${d}`));
    }
    const warm: Player[] = [];
    for (const s of servers)
      for (let i = 0; i < PREWARM_PLAYERS; i++)
        warm.push(startPlayer(`rtmp://127.0.0.1:${s.port}/live/bench`));
    await sleep((PREWARM_S * 1000) / 2);
    for (const p of warm) if (p.proc.pid) process.kill(p.proc.pid, "SIGKILL");
    for (let i = 0; i < PREWARM_SEQUENTIAL; i++) {
      const one = servers.map((s) => startPlayer(`rtmp://127.0.0.1:${s.port}/live/bench`));
      await sleep(1500);
      for (const p of one) if (p.proc.pid) process.kill(p.proc.pid, "SIGKILL");
      await sleep(300);
    }
    await sleep((PREWARM_S * 1000) / 2);
    for (const s of servers) {
      if (RAMP) {
        rows.push(...(await measureRamp(s, COUNTS)));
        continue;
      }
      const r = await measure(s, n);
      rows.push(r);
      process.stderr.write(`${JSON.stringify(r)}\n`);
    }
    for (const c of children) if (!round.has(c) && c.pid) process.kill(c.pid, "SIGKILL");
    await sleep(1000);
  }
  const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "-");
  console.log(
    `\nRTMP fan-out, ~2.5 Mbit/s publisher, ${WINDOW_S} s window after ${WARMUP_S} s warm-up (${RAMP ? "one pair of servers, players added count after count" : "fresh servers for each count"}, publishers ${PREWARM_S} s before it, ${PREWARM_PLAYERS} player(s) during its first half, then ${PREWARM_SEQUENTIAL} one after another for 1.5 s each), server on core ${SERVER_CORE}, onair as \`node ${[...NODE_ARGS, "dist/cli/main.js"].join(" ")}\`\n`,
  );
  console.log(
    "| players | server | CPU s / delivered Gbit | server CPU % | of which kernel | delivered Mbit/s | RSS / player (KiB), medians | RSS / player (KiB), whole GC cycles | marginal RSS / player since the previous count (KiB, --ramp) | RSS / player (KiB), floors | anonymous RSS / player (KiB), whole GC cycles | players keeping up |",
  );
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  rows.sort((a, b) => a.players - b.players); // --ramp measures one server's counts, then the other's
  for (const r of rows) {
    console.log(
      `| ${r.players} | ${r.server} | ${fmt(r.cpuPerGbit, 2)} | ${fmt(r.cpuPct)} | ${fmt(r.sysShare * 100, 0)}% | ${fmt(r.deliveredMbit)} | ${fmt(r.rssPerPlayerKb)} | ${fmt(r.rssCyclesPerPlayerKb)} | ${fmt(r.rssMarginalKb)} | ${fmt(r.rssFloorPerPlayerKb)} | ${fmt(r.anonCyclesPerPlayerKb)} | ${r.keepingUp}/${r.players} |`,
    );
  }
  // A count given more than once (`--players 10,10,10`): fresh servers each time, so the rounds
  // are independent samples; their mean and range say more than any one of them.
  const repeated = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.players} ${r.server}`;
    const same = repeated.get(key);
    if (same) same.push(r);
    else repeated.set(key, [r]);
  }
  const spread = (rs: Row[], f: (r: Row) => number, d = 1) => {
    const xs = rs.map(f);
    return `${fmt(xs.reduce((a, b) => a + b, 0) / xs.length, d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;
  };
  const sets = [...repeated.values()].filter((rs) => rs.length > 1);
  if (sets.length > 0) {
    console.log(
      "\n| players | server | rounds | CPU s / delivered Gbit, mean (range) | RSS / player (KiB), whole GC cycles, mean (range) | anonymous RSS / player (KiB), mean (range) |",
    );
    console.log("|---:|---|---:|---:|---:|---:|");
    for (const rs of sets) {
      console.log(
        `| ${rs[0]!.players} | ${rs[0]!.server} | ${rs.length} | ${spread(rs, (r) => r.cpuPerGbit, 2)} | ${spread(rs, (r) => r.rssCyclesPerPlayerKb)} | ${spread(rs, (r) => r.anonCyclesPerPlayerKb)} |`,
      );
    }
  }
  killAll();
}

await main();
