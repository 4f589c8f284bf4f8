/**
 * HLS latency, onair vs Debian's nginx + libnginx-mod-rtmp, same run, same
 * configuration (the guide's nginx.conf with free ports, a temp prefix and
 * the given hls_fragment / hls_playlist_length), the server pinned to one
 * core (--server-core), ffmpeg and chromium on the others.
 *
 * - publish-to-first-playlist: from spawning `ffmpeg -re -i FILE -c copy -f
 *   flv rtmp://...` (T0) to the first 200 for GET /hls/NAME.m3u8 over the
 *   server's own HTTP (polled every 10 ms).
 * - glass-to-glass in hls.js: chromium (headless, playwright-core) plays the
 *   playlist with hls.js (default live settings, as onair's default page)
 *   from a small page in the server's `html` root. With `-re`, ffmpeg sends
 *   stream time s at wall time T0 + s; both servers carry the RTMP timestamp
 *   into the MPEG-TS PTS (PTS = 90 × ms + composition offset + a constant), and
 *   hls.js shows PTS p at media time currentTime = (p − initPTS) / timescale
 *   (INIT_PTS_FOUND). So the stream time on screen is currentTime +
 *   initPTS / timescale − offset, where offset is what the server adds to
 *   the timestamps in its PTS (measured on the first segment against the
 *   source file: nginx-rtmp adds 0.7 s, NGX_RTMP_HLS_DELAY; onair 0), and
 *   latency = (now − T0) − that, sampled every
 *   500 ms after playback starts; the median is kept. The page opens
 *   --warmup seconds after the first playlist (default: hls_playlist_length
 *   + 2 s, a full window, so hls.js joins a steady live stream at its usual
 *   distance from the live edge, 3 × EXT-X-TARGETDURATION). --live-sync S
 *   sets hls.js's liveSyncDuration to S seconds for both servers instead, so
 *   the player's distance from the edge no longer depends on the playlists'
 *   TARGETDURATION and what remains is packaging + delivery. The figure includes
 *   ffmpeg's own start-up before its first packet (same for both servers) and
 *   is a B-frame delay (≤ 80 ms) high when hls.js bases initPTS on DTS.
 *
 *   node --import tsx bench/hls-latency.ts [--rounds 3] [--fragment 1s]
 *        [--playlist 6s] [--seconds 20] [--warmup S] [--live-sync S]
 *        [--onair-extra 'DIRECTIVES;'] [--server-core 1]
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { projectRoot, sleep } from "../test/helpers/env.js";
import { publishArgs } from "../test/helpers/ffmpeg.js";
import { makeMedia } from "../test/helpers/media.js";
import {
  guideConf,
  OnairProcess,
  type OnairSetup,
  preparePrefix,
  tcpOpen,
} from "../test/helpers/onair-process.js";

const { values: opt } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    fragment: { type: "string", default: "1s" },
    playlist: { type: "string", default: "6s" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string" },
    "live-sync": { type: "string" },
    "onair-extra": { type: "string" },
    "server-core": { type: "string", default: "1" },
  },
});
const ROUNDS = Number(opt.rounds);
const SAMPLE_S = Number(opt.seconds);
/** Seconds between the first playlist and opening the page: a full window by default (steady state). */
const WARMUP_S = opt.warmup !== undefined ? Number(opt.warmup) : Number.parseFloat(opt.playlist!) + 2;
const CORE = opt["server-core"]!;
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const PAGE = `<!doctype html><meta charset="utf-8"><video id="v" muted autoplay playsinline></video>
<script src="/vendor-hls.min.js"></script><script>
const s = { initPTS: null, timescale: null, fatal: null, errors: [] };
window.bench = s;
const v = document.getElementById("v");
const sync = new URLSearchParams(location.search).get("sync");
const hls = new Hls(sync ? { liveDurationInfinity: true, liveSyncDuration: Number(sync) } : { liveDurationInfinity: true });
hls.on(Hls.Events.INIT_PTS_FOUND, (e, d) => { if (s.initPTS === null) { s.initPTS = d.initPTS; s.timescale = d.timescale; } });
hls.on(Hls.Events.ERROR, (e, d) => { s.errors.push(d.details); if (d.fatal) s.fatal = d.details; });
hls.on(Hls.Events.MANIFEST_PARSED, () => v.play().catch(() => {}));
hls.loadSource(new URLSearchParams(location.search).get("src"));
hls.attachMedia(v);
</script>`;

interface Server {
  name: string;
  setup: OnairSetup;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, "SIGKILL");
});

async function prefixFor(name: string, nginx: boolean): Promise<OnairSetup> {
  const prefix = mkdtempSync(join(tmpdir(), `onair-bench-${name}-`));
  const setup = await preparePrefix(prefix, {
    fragment: opt.fragment,
    playlistLength: opt.playlist,
    appExtra: opt["onair-extra"] ? `            ${opt["onair-extra"]}\n` : "",
  });
  if (nginx) {
    const conf = guideConf({
      rtmpPort: setup.rtmpPort,
      httpPort: setup.httpPort,
      wwwRoot: setup.www,
      fragment: opt.fragment,
      playlistLength: opt.playlist,
      nginx: { prefix },
    });
    writeFileSync(setup.conf, conf);
  }
  copyFileSync(
    join(projectRoot, "node_modules/hls.js/dist/hls.min.js"),
    join(prefix, "html", "vendor-hls.min.js"),
  );
  writeFileSync(join(prefix, "html", "bench.html"), PAGE);
  return setup;
}

async function onairServer(): Promise<Server> {
  const setup = await prefixFor("onair", false);
  const p = new OnairProcess(setup, ["taskset", "-c", CORE]);
  return { name: "onair", setup, start: () => p.start(), stop: () => p.stop("SIGTERM") };
}

async function nginxServer(): Promise<Server> {
  const setup = await prefixFor("nginx", true);
  let child: ChildProcess | null = null;
  return {
    name: "nginx-rtmp",
    setup,
    async start() {
      child = spawn("taskset", ["-c", CORE, "nginx", "-p", setup.prefix, "-c", setup.conf], {
        stdio: "ignore",
      });
      children.add(child);
      const deadline = Date.now() + 10_000;
      while (!((await tcpOpen(setup.rtmpPort)) && (await tcpOpen(setup.httpPort)))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error("nginx did not start");
        await sleep(50);
      }
    },
    async stop() {
      const c = child;
      if (!c?.pid || c.exitCode !== null) return;
      const gone = new Promise((r) => c.on("exit", r));
      process.kill(c.pid, "SIGKILL");
      await gone;
      children.delete(c);
    },
  };
}

/** Smallest video PTS (s) among the first packets of a media file. */
function firstVideoPts(file: string): number {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#30"].concat([
      "-show_entries",
      "packet=pts_time",
      "-of",
      "csv=p=0",
      file,
    ]),
    { encoding: "utf8" },
  );
  const pts = r.stdout
    .split("\n")
    .filter((l) => /^\d/.test(l))
    .map((l) => Number.parseFloat(l));
  if (pts.length === 0) throw new Error(`no video packets in ${file}: ${r.stderr}`);
  return Math.min(...pts);
}

/**
 * What the server adds to the stream's timestamps in its PTS: the first
 * segment's first video PTS minus the source's (nginx-rtmp adds 0.7 s,
 * NGX_RTMP_HLS_DELAY, to PTS/DTS; onair adds nothing).
 */
async function ptsOffset(base: string, name: string, dir: string, media: string): Promise<number> {
  const playlist = await (await fetch(`${base}/hls/${name}.m3u8`)).text();
  const uri = playlist.split("\n").find((l) => l.endsWith(".ts"));
  if (!uri) throw new Error(`no segment in ${playlist}`);
  const file = join(dir, "first-segment.ts");
  writeFileSync(file, Buffer.from(await (await fetch(`${base}/hls/${uri}`)).arrayBuffer()));
  return firstVideoPts(file) - firstVideoPts(media);
}

async function firstPlaylistMs(base: string, path: string, t0: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(base + path, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return Date.now() - t0;
    } catch {
      /* not yet */
    }
    await sleep(10);
  }
  throw new Error(`no playlist at ${base}${path}`);
}

type Ctx = Awaited<ReturnType<typeof chromium.launchPersistentContext>>;

interface RunResult {
  firstPlaylistMs: number;
  latencyS: number;
  fatal: string | null;
  /** EXT-X-TARGETDURATION when the page opened. */
  target: number;
  /** Seconds the server adds to the stream's timestamps in its MPEG-TS PTS. */
  offset: number;
}

async function run(server: Server, ctx: Ctx, media: string, round: number): Promise<RunResult> {
  await server.start();
  const name = `bench${round}`;
  const base = `http://127.0.0.1:${server.setup.httpPort}`;
  const t0 = Date.now();
  const ff = spawn("ffmpeg", publishArgs(media, `rtmp://127.0.0.1:${server.setup.rtmpPort}/live/${name}`), {
    stdio: "ignore",
  });
  children.add(ff);
  try {
    const first = await firstPlaylistMs(base, `/hls/${name}.m3u8`, t0);
    const offset = await ptsOffset(base, name, server.setup.prefix, media);
    await sleep(WARMUP_S * 1000);
    const playlist = await (await fetch(`${base}/hls/${name}.m3u8`)).text();
    const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(playlist)?.[1] ?? Number.NaN);
    const page = await ctx.newPage();
    try {
      const consoleErrors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      page.on("pageerror", (e) => consoleErrors.push(String(e)));
      const sync = opt["live-sync"] ? `&sync=${opt["live-sync"]}` : "";
      await page.goto(`${base}/bench.html?src=/hls/${name}.m3u8${sync}`);
      await page
        .waitForFunction(
          `document.getElementById("v").currentTime > 0 && window.bench.initPTS !== null`,
          null,
          { timeout: 30_000 },
        )
        .catch(async (e: unknown) => {
          const st = await page.evaluate(
            `JSON.stringify({ t: document.getElementById("v").currentTime, b: window.bench })`,
          );
          throw new Error(`${server.name}: playback did not start: ${st} ${consoleErrors.join(" | ")} ${e}`);
        });
      const lat: number[] = [];
      for (let i = 0; i < SAMPLE_S * 2; i++) {
        await sleep(500);
        const s = (await page.evaluate(
          `({ now: Date.now(), t: document.getElementById("v").currentTime, p: window.bench.initPTS, ts: window.bench.timescale, fatal: window.bench.fatal })`,
        )) as { now: number; t: number; p: number; ts: number; fatal: string | null };
        lat.push((s.now - t0) / 1000 - (s.t + s.p / s.ts - offset));
      }
      const fatal = (await page.evaluate("window.bench.fatal")) as string | null;
      return { firstPlaylistMs: first, latencyS: median(lat), fatal, target, offset };
    } finally {
      await page.close();
    }
  } finally {
    if (ff.pid && ff.exitCode === null) process.kill(ff.pid, "SIGKILL");
    children.delete(ff);
    await server.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const media = makeMedia({ seconds: Math.ceil(SAMPLE_S + WARMUP_S + 60), gop: 1 });
  const servers = [await onairServer(), await nginxServer()];
  const profile = mkdtempSync(join(tmpdir(), "onair-bench-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const results = new Map<string, RunResult[]>(servers.map((s) => [s.name, []]));
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 ? [...servers].reverse() : servers) {
        const res = await run(s, ctx, media, r);
        results.get(s.name)!.push(res);
        console.log(
          `round ${r + 1} ${s.name}: first playlist ${res.firstPlaylistMs} ms, glass-to-glass ${res.latencyS.toFixed(2)} s, TARGETDURATION ${res.target}, PTS offset ${res.offset.toFixed(3)} s${res.fatal ? `, FATAL ${res.fatal}` : ""}`,
        );
      }
    }
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
    for (const s of servers) rmSync(s.setup.prefix, { recursive: true, force: true });
  }
  console.log(
    `\nhls_fragment ${opt.fragment}, hls_playlist_length ${opt.playlist}, 1 s GOP, page opened ${WARMUP_S} s after the first playlist, hls.js ${opt["live-sync"] ? `liveSyncDuration ${opt["live-sync"]} s` : "defaults"}, ${ROUNDS} rounds (medians)`,
  );
  if (opt["onair-extra"]) console.log(`onair's application also has: ${opt["onair-extra"]}`);
  console.log("| server | publish-to-first-playlist ms | glass-to-glass s (hls.js) | TARGETDURATION |");
  console.log("|---|---|---|---|");
  for (const [name, rs] of results) {
    const fp = median(rs.map((x) => x.firstPlaylistMs));
    const lat = median(rs.map((x) => x.latencyS));
    const span = (xs: number[], d: number) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
    const fpSpan = span(
      rs.map((x) => x.firstPlaylistMs),
      0,
    );
    const latSpan = span(
      rs.map((x) => x.latencyS),
      2,
    );
    const targets = [...new Set(rs.map((x) => x.target))].join(", ");
    console.log(`| ${name} | ${fp} (${fpSpan}) | ${lat.toFixed(2)} (${latSpan}) | ${targets} |`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
