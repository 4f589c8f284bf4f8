/**
 * HLS packaging CPU: onair vs nginx + Debian's libnginx-mod-rtmp, same run,
 * same file (H.264 High with B-frames at ~2.5 Mbit/s, 1280x720, 2 s GOP, AAC).
 *
 * - onair: the FLV's tags are fed unpaced to HlsService (the real writer, files
 *   on disk, in-memory overlay); CPU = process.cpuUsage() of this process.
 * - nginx: one process (master_process off), `ffmpeg -i FILE -c copy -f flv`
 *   publishes the same file unpaced; CPU = utime+stime of nginx from /proc.
 *   nginx cannot package without ingesting RTMP, so it runs twice: `hls on`
 *   and `hls off`; the difference is its packaging share.
 * Figures: CPU seconds per hour of packaged video (median of --runs).
 *
 * onair and nginx run on --server-core (default 1), ffmpeg on --client-core (0).
 * This process runs with the node options onair ships with (NODE_FLAGS): it
 * starts itself again with them if run without.
 *
 *   node --import tsx bench/hls-package.ts [--seconds 60] [--loops 5] [--runs 5]
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RtmpApplicationConfig } from "../src/config/types.js";
import { FakeClock } from "../src/engine/clock.js";
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, readFlvTags } from "../src/protocol/flv/flv-file.js";
import { HlsService } from "../src/server/hls/hls-service.js";
import { memoryLogger } from "../src/util/logger.js";
import { freePort, sleep } from "../test/helpers/env.js";
import { makeMedia } from "../test/helpers/media.js";
import { rtmpApp } from "../test/helpers/rtmp-config.js";
import { runAsShipped } from "./lib/as-shipped.js";
import { cpuSeconds, median } from "./lib/proc-stat.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const SECONDS = Number(arg("seconds", "60"));
const SERVER_CORE = arg("server-core", "1");
const CLIENT_CORE = arg("client-core", "0");
const RUNS = Number(arg("runs", "5"));
/** The file is packaged this many times back to back (timestamps running on) per run. */
const LOOPS = Number(arg("loops", "5"));

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) {
    try {
      if (c.pid && c.exitCode === null) process.kill(c.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
});

function hlsApp(hlsPath: string): RtmpApplicationConfig {
  return rtmpApp("live", {
    hls: true,
    hlsPath,
    hlsFragment: 3000,
    hlsPlaylistLength: 60000,
    hlsMaxFragment: 30000,
    pos: { file: "bench", line: 1 },
  });
}

async function onairRun(flv: Buffer, dir: string): Promise<{ cpu: number; segments: number }> {
  rmSync(dir, { recursive: true, force: true });
  const svc = new HlsService({ log: memoryLogger("warn"), clock: new FakeClock() });
  const app = hlsApp(dir);
  const c0 = process.cpuUsage();
  const sink = svc.sinkFor(app, "bench")!;
  sink.start({ app: "live", name: "bench" });
  for (let k = 0; k < LOOPS; k++) {
    const offset = k * SECONDS * 1000;
    for (const tag of readFlvTags(flv)) {
      if (tag.type === FLV_TAG_VIDEO) sink.message("video", tag.timestamp + offset, tag.body);
      else if (tag.type === FLV_TAG_AUDIO) sink.message("audio", tag.timestamp + offset, tag.body);
    }
  }
  sink.stop();
  await svc.quit();
  const c = process.cpuUsage(c0);
  return {
    cpu: (c.user + c.system) / 1e6,
    segments: readdirSync(dir).filter((f) => f.endsWith(".ts")).length,
  };
}

async function nginxRun(file: string, dir: string, hls: boolean): Promise<{ cpu: number; segments: number }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes 1;
daemon off;
master_process off;
error_log ${dir}/logs/error.log warn;
pid ${dir}/logs/nginx.pid;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live {
      live on;
      hls ${hls ? "on" : "off"};
      hls_path ${dir}/hls;
      hls_fragment 3s;
      hls_playlist_length 60s;
    }
  }
}
`,
  );
  const nginx = spawn("taskset", ["-c", SERVER_CORE, "nginx", "-p", dir, "-c", conf], { stdio: "ignore" });
  children.add(nginx);
  await sleep(300);
  const c0 = cpuSeconds(nginx.pid!);
  const ff = spawn(
    "taskset",
    [
      "-c",
      CLIENT_CORE,
      "ffmpeg",
      "-hide_banner",
      "-loglevel",
      "error",
      "-stream_loop",
      String(LOOPS - 1),
      "-i",
      file,
      "-c",
      "copy",
      "-f",
      "flv",
      `rtmp://127.0.0.1:${port}/live/bench`,
    ],
    { stdio: "ignore" },
  );
  children.add(ff);
  await new Promise((r) => ff.on("exit", r));
  await sleep(500); // let nginx finish the stream
  const cpu = cpuSeconds(nginx.pid!) - c0;
  nginx.kill("SIGKILL");
  await new Promise((r) => nginx.on("exit", r));
  let segments = 0;
  try {
    segments = readdirSync(join(dir, "hls")).filter((f) => f.endsWith(".ts")).length;
  } catch {
    /* hls off */
  }
  return { cpu, segments };
}

async function main(): Promise<void> {
  runAsShipped();
  // onair packages in this process: pin it to the server core as nginx is
  spawnSync("taskset", ["-cp", SERVER_CORE, String(process.pid)], { stdio: "ignore" });
  const file = makeMedia({ seconds: SECONDS, gop: 2, bitrate: "2500k", size: "1280x720" });
  const flv = readFileSync(file);
  const mbps = (flv.length * 8) / SECONDS / 1e6;
  const work = mkdtempSync(join(tmpdir(), "onair-bench-hls-"));
  const perHour = (cpu: number) => (cpu * 3600) / (SECONDS * LOOPS);
  const res = { onair: [] as number[], nginxOn: [] as number[], nginxOff: [] as number[] };
  const segs = { onair: 0, nginx: 0 };
  try {
    await onairRun(flv, join(work, "warmup"));
    for (let i = 0; i < RUNS; i++) {
      const o = await onairRun(flv, join(work, `onair-${i}`));
      res.onair.push(o.cpu);
      segs.onair = o.segments;
      const n = await nginxRun(file, join(work, `nginx-on-${i}`), true);
      res.nginxOn.push(n.cpu);
      segs.nginx = n.segments;
      res.nginxOff.push((await nginxRun(file, join(work, `nginx-off-${i}`), false)).cpu);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const on = median(res.nginxOn);
  const off = median(res.nginxOff);
  const rows: [string, number][] = [
    ["onair HlsService (packaging only, unpaced)", median(res.onair)],
    ["nginx-rtmp, hls on (RTMP ingest + packaging)", on],
    ["nginx-rtmp, hls off (RTMP ingest only)", off],
    ["nginx-rtmp packaging share (on - off)", Math.max(0, on - off)],
  ];
  console.log(
    `HLS packaging CPU, ${SECONDS} s × ${LOOPS} of ${mbps.toFixed(2)} Mbit/s FLV (${file}), median of ${RUNS} runs`,
  );
  console.log(`segments written: onair ${segs.onair}, nginx ${segs.nginx}`);
  console.log(`${"".padEnd(48)} ${"CPU s/run".padStart(10)} ${"CPU s/hour of video".padStart(20)}`);
  for (const [name, cpu] of rows) {
    console.log(`${name.padEnd(48)} ${cpu.toFixed(3).padStart(10)} ${perHour(cpu).toFixed(1).padStart(20)}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
