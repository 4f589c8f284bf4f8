/**
 * `onair -s reload` under real traffic (issue 8): ffmpeg publishes, an ffmpeg
 * player and an rtmpdump player play, an HTTP poller follows the HLS
 * playlist; the configuration gains an application and is reloaded. Nobody
 * reconnects, the players' recordings have no timestamp gap over one frame,
 * the poller never sees a 404 and the media sequence keeps rising, and the
 * new application accepts a publisher. Then an invalid file is refused.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { type CliResult, onairStarted, readLog, runOnair, startOnair } from "./helpers/cli.js";
import { freePort, type Proc, sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPlay, ffmpegPublish } from "./helpers/ffmpeg.js";
import { makeMedia } from "./helpers/media.js";

const FPS = 25;

interface Setup {
  dir: string;
  conf: string;
  errorLog: string;
  rtmpPort: number;
  httpPort: number;
}

function writeConf(s: Setup, extraApp = ""): void {
  const app = (name: string) =>
    `  application ${name} { live on; hls on; hls_path ${join(s.dir, "hls", name)}; hls_fragment 1s; hls_playlist_length 3s; }\n`;
  writeFileSync(
    s.conf,
    `error_log ${s.errorLog} info;\npid ${join(s.dir, "onair.pid")};\nevents {}\n` +
      `rtmp { server { listen 127.0.0.1:${s.rtmpPort};\n${app("live")}${extraApp ? app(extraApp) : ""} } }\n` +
      `http { access_log off; server { listen 127.0.0.1:${s.httpPort}; location /hls { root ${s.dir}; } } }\n`,
  );
}

function onair(s: Setup, ...args: string[]): CliResult {
  return runOnair("-c", s.conf, "-p", s.dir, ...args);
}

function log(s: Setup): string {
  return readLog(s.errorLog);
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Polls the playlist every 200 ms from its first 200 on: statuses and media sequences seen. */
function hlsPoller(port: number, path: string) {
  const statuses: number[] = [];
  const sequences: number[] = [];
  let running = true;
  let seen200 = false;
  const done = (async () => {
    while (running) {
      try {
        const r = await get(port, path);
        if (r.status === 200) seen200 = true;
        if (seen200) {
          statuses.push(r.status);
          const m = /#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(r.body);
          if (m) sequences.push(Number(m[1]));
        }
      } catch {
        if (seen200) statuses.push(-1);
      }
      await sleep(200);
    }
  })();
  return {
    statuses,
    sequences,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Largest gap between consecutive video DTS in an FLV, in ms. */
function largestVideoGap(file: string): { gap: number; packets: number } {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts_time", "-of", "csv=p=0", file],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const dts = r.stdout
    .split("\n")
    .map((l) => Number.parseFloat(l))
    .filter((n) => Number.isFinite(n));
  let gap = 0;
  for (let k = 1; k < dts.length; k++)
    gap = Math.max(gap, ((dts[k] as number) - (dts[k - 1] as number)) * 1000);
  return { gap, packets: dts.length };
}

function alive(p: Proc): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

async function startServer(t: TestContext, s: Setup): Promise<Proc> {
  const p = startOnair(t, ["-c", s.conf, "-p", s.dir]);
  await onairStarted(p, s.errorLog);
  return p;
}

test("reload under traffic: no reconnect, no gap, no 404, a new application serves", async (t) => {
  const dir = tempDir(t);
  const s: Setup = {
    dir,
    conf: join(dir, "onair.conf"),
    errorLog: join(dir, "error.log"),
    rtmpPort: await freePort(),
    httpPort: await freePort(),
  };
  writeConf(s);
  const server = await startServer(t, s);
  const url = `rtmp://127.0.0.1:${s.rtmpPort}/live/test`;
  const media = makeMedia({ seconds: 30, gop: 1, fps: FPS });
  const pub = ffmpegPublish(t, media, url);
  await waitFor(() => log(s).includes("publish live/test"), 10_000, "the publisher");
  const out1 = join(dir, "player1.flv");
  const out2 = join(dir, "player2.flv");
  const player1 = ffmpegPlay(t, url, out1);
  const player2 = startProcess(t, "rtmpdump", ["-q", "-v", "-r", url, "-o", out2]);
  const poller = hlsPoller(s.httpPort, "/hls/live/test.m3u8");
  await waitFor(
    () => poller.sequences.length > 0 && existsSync(out1) && existsSync(out2),
    15_000,
    "playback",
  );
  await sleep(3000);

  writeConf(s, "live2");
  const r = onair(s, "-s", "reload");
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => log(s).includes("configuration reloaded"), 10_000, "the reload");
  const url2 = `rtmp://127.0.0.1:${s.rtmpPort}/live2/other`;
  const pub2 = ffmpegPublish(t, media, url2, { output: ["-t", "4"] });
  await waitFor(() => log(s).includes("publish live2/other"), 10_000, "a publisher on the new application");
  await waitFor(
    async () => (await get(s.httpPort, "/hls/live2/other.m3u8")).status === 200,
    15_000,
    "the new application's playlist",
  );
  await sleep(3000);
  await poller.stop();

  assert.ok(alive(pub) && alive(player1) && alive(player2), "publisher and players still connected");
  assert.ok(alive(server));
  const plays = log(s).match(/: play live\/test/g) ?? [];
  assert.equal(plays.length, 2, "each player connected once (no reconnect)");
  assert.equal((log(s).match(/: publish live\/test/g) ?? []).length, 1);
  assert.deepEqual(
    poller.statuses.filter((x) => x !== 200),
    [],
    "the HLS poller saw only 200s",
  );
  for (let k = 1; k < poller.sequences.length; k++) {
    assert.ok(
      (poller.sequences[k] as number) >= (poller.sequences[k - 1] as number),
      "media sequence never goes back",
    );
  }
  assert.ok(
    (poller.sequences.at(-1) as number) > (poller.sequences[0] as number),
    `media sequence rose: ${poller.sequences[0]} → ${poller.sequences.at(-1)}`,
  );
  player1.kill("SIGINT");
  player2.kill("SIGINT");
  await Promise.all([player1.exited, player2.exited]);
  for (const out of [out1, out2]) {
    const { gap, packets } = largestVideoGap(out);
    assert.ok(packets > FPS * 5, `${out}: ${packets} video packets`);
    assert.ok(gap <= 1000 / FPS + 1, `${out}: largest DTS gap ${gap.toFixed(1)} ms`);
  }
  await pub2.exited;

  // an invalid file: refused and logged with file:line, the server keeps serving
  writeFileSync(s.conf, `${readFileSync(s.conf, "utf8")}\nrtmp_bogus on;\n`);
  server.kill("SIGHUP");
  await waitFor(() => log(s).includes("reload failed, the running configuration is kept"), 10_000, "refusal");
  assert.match(log(s), /\[emerg\] \d+#0: unknown directive "rtmp_bogus" in .*onair\.conf:\d+\n/);
  assert.equal((await get(s.httpPort, "/hls/live/test.m3u8")).status, 200);
  assert.ok(alive(pub) && alive(server));
  server.kill("SIGTERM");
  assert.equal(await server.exited, 0);
});
