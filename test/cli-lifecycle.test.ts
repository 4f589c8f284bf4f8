/**
 * Lifecycle with real traffic (issue 8): `onair -s quit` while ffmpeg
 * publishes and plays ends the HLS playlist with EXT-X-ENDLIST, exits within
 * the quit timeout, and leaves a last segment ffprobe reads; `stop` (SIGTERM)
 * mid-stream leaves a consistent playlist (every listed segment on disk, no
 * temporary files) and a restart (hls_continuous on) goes on with the media
 * sequence.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { onairStarted, runOnair, startOnair } from "./helpers/cli.js";
import { freePort, type Proc, tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPlay, ffmpegPublish } from "./helpers/ffmpeg.js";
import { makeMedia } from "./helpers/media.js";

interface Setup {
  dir: string;
  conf: string;
  hls: string;
  errorLog: string;
  pid: string;
  rtmpPort: number;
}

async function setup(t: TestContext): Promise<Setup> {
  const dir = tempDir(t);
  const s: Setup = {
    dir,
    conf: join(dir, "onair.conf"),
    hls: join(dir, "hls"),
    errorLog: join(dir, "error.log"),
    pid: join(dir, "onair.pid"),
    rtmpPort: await freePort(),
  };
  const httpPort = await freePort();
  writeFileSync(
    s.conf,
    `error_log ${s.errorLog} info;\npid ${s.pid};\nevents {}\n` +
      `rtmp { server { listen 127.0.0.1:${s.rtmpPort};\n` +
      `  application live { live on; hls on; hls_path ${s.hls}; hls_fragment 1s; hls_playlist_length 6s; hls_continuous on; } } }\n` +
      `http { access_log off; server { listen 127.0.0.1:${httpPort}; location /hls { root ${dir}; } } }\n`,
  );
  return s;
}

function startServer(t: TestContext, s: Setup): Proc {
  return startOnair(t, ["-c", s.conf, "-p", s.dir]);
}

function publish(t: TestContext, s: Setup, media: string): Proc {
  return ffmpegPublish(t, media, `rtmp://127.0.0.1:${s.rtmpPort}/live/test`);
}

function play(t: TestContext, s: Setup): Proc {
  return ffmpegPlay(t, `rtmp://127.0.0.1:${s.rtmpPort}/live/test`, "-");
}

function playlistPath(s: Setup): string {
  return join(s.hls, "test.m3u8");
}

function segmentsOf(playlist: string): string[] {
  return playlist.split("\n").filter((l) => l.endsWith(".ts"));
}

async function segmentsListed(s: Setup, n: number): Promise<void> {
  await waitFor(
    () => existsSync(playlistPath(s)) && segmentsOf(readFileSync(playlistPath(s), "utf8")).length >= n,
    30_000,
    `${n} HLS segments`,
    100,
  );
}

function ffprobeOk(file: string): boolean {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file],
    {
      encoding: "utf8",
    },
  );
  return r.status === 0 && r.stderr.trim() === "" && Number(r.stdout.trim()) > 0;
}

/** Every listed segment exists and decodes; no temporary file is left in the folder. */
function assertConsistent(s: Setup): string[] {
  const segs = segmentsOf(readFileSync(playlistPath(s), "utf8"));
  assert.ok(segs.length > 0);
  for (const seg of segs) assert.ok(existsSync(join(s.hls, seg)), `${seg} listed and on disk`);
  const stray = readdirSync(s.hls).filter((f) => !f.endsWith(".ts") && !f.endsWith(".m3u8"));
  assert.deepEqual(stray, [], "no temporary files left");
  return segs;
}

test("-s quit with a publisher and a player: EXT-X-ENDLIST, exit within the timeout, last segment decodes", async (t) => {
  const s = await setup(t);
  const p = startServer(t, s);
  await onairStarted(p, s.errorLog);
  const pub = publish(t, s, makeMedia({ seconds: 30, gop: 1 }));
  const player = play(t, s);
  await segmentsListed(s, 3);
  const t0 = Date.now();
  const r = runOnair("-c", s.conf, "-p", s.dir, "-s", "quit");
  assert.equal(r.code, 0, r.stderr);
  const code = await p.exited;
  const took = Date.now() - t0;
  assert.equal(code, 0, p.stderr());
  assert.ok(took < 10_000 + 2_000, `exited in ${took} ms (timeout 10 s)`);
  const playlist = readFileSync(playlistPath(s), "utf8");
  assert.match(playlist, /#EXT-X-ENDLIST\n?$/);
  const segs = assertConsistent(s);
  assert.ok(ffprobeOk(join(s.hls, segs[segs.length - 1] as string)), "last segment decodes");
  assert.equal(existsSync(s.pid), false);
  // the clients were told / disconnected: both ffmpeg processes end on their own
  await waitFor(
    () => pub.child.exitCode !== null || pub.child.signalCode !== null,
    10_000,
    "publisher to end",
  );
  await waitFor(
    () => player.child.exitCode !== null || player.child.signalCode !== null,
    10_000,
    "player to end",
  );
});

test("stop (SIGTERM) mid-stream leaves consistent files; a restart continues the stream", async (t) => {
  const s = await setup(t);
  const media = makeMedia({ seconds: 30, gop: 1 });
  let p = startServer(t, s);
  await onairStarted(p, s.errorLog);
  let pub = publish(t, s, media);
  await segmentsListed(s, 3);
  p.kill("SIGTERM");
  assert.equal(await p.exited, 0, p.stderr());
  const before = assertConsistent(s);
  pub.kill("SIGKILL");
  await pub.exited;
  p = startServer(t, s);
  await onairStarted(p, s.errorLog);
  pub = publish(t, s, media);
  await waitFor(
    () => {
      const now = segmentsOf(readFileSync(playlistPath(s), "utf8"));
      return now.some((seg) => !before.includes(seg));
    },
    30_000,
    `a new segment after the restart; log:\n${readFileSync(s.errorLog, "utf8")}\n${pub.stderr()}`,
    100,
  );
  p.kill("SIGTERM");
  assert.equal(await p.exited, 0, p.stderr());
  assertConsistent(s);
});
