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
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { freePort, type Proc, projectRoot, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { makeMedia } from "./helpers/media.js";

function cliArgs(): string[] {
  const dist = join(projectRoot, "dist/cli/main.js");
  if (existsSync(dist) && newestSource(join(projectRoot, "src")) <= statSync(dist).mtimeMs) return [dist];
  return ["--import", "tsx", join(projectRoot, "src/cli/main.ts")];
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const CLI = cliArgs();

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

function startOnair(t: TestContext, s: Setup): Proc {
  return startProcess(t, process.execPath, [...CLI, "-c", s.conf, "-p", s.dir], { cwd: projectRoot });
}

async function started(s: Setup, p: Proc): Promise<void> {
  await waitFor(
    () => {
      if (p.child.exitCode !== null) throw new Error(`onair exited: ${p.stderr()}`);
      return (
        existsSync(s.errorLog) && readFileSync(s.errorLog, "utf8").includes(`started (pid ${p.child.pid})`)
      );
    },
    15_000,
    "onair to start",
  );
}

function publish(t: TestContext, s: Setup, media: string): Proc {
  const url = `rtmp://127.0.0.1:${s.rtmpPort}/live/test`;
  return startProcess(t, "ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-i",
    media,
    "-c",
    "copy",
    "-f",
    "flv",
    url,
  ]);
}

function play(t: TestContext, s: Setup): Proc {
  const url = `rtmp://127.0.0.1:${s.rtmpPort}/live/test`;
  return startProcess(t, "ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-i",
    url,
    "-c",
    "copy",
    "-f",
    "null",
    "-",
  ]);
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
  const p = startOnair(t, s);
  await started(s, p);
  const pub = publish(t, s, makeMedia({ seconds: 30, gop: 1 }));
  const player = play(t, s);
  await segmentsListed(s, 3);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [...CLI, "-c", s.conf, "-p", s.dir, "-s", "quit"], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
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
  let p = startOnair(t, s);
  await started(s, p);
  let pub = publish(t, s, media);
  await segmentsListed(s, 3);
  p.kill("SIGTERM");
  assert.equal(await p.exited, 0, p.stderr());
  const before = assertConsistent(s);
  pub.kill("SIGKILL");
  await pub.exited;
  p = startOnair(t, s);
  await started(s, p);
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
