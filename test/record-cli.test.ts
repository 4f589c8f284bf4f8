/**
 * Recording through the whole `onair` process (issue 8): an application with
 * `record all`, `record_interval` and a strftime `record_suffix` records what
 * ffmpeg publishes into several files, each of which ffprobe reads fully,
 * while HLS of the same stream goes on.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { onairStarted, startOnair } from "./helpers/cli.js";
import { freePort, tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { makeMedia } from "./helpers/media.js";

function probeDuration(file: string): number {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", file],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, `ffprobe ${file}: ${r.stderr}`);
  assert.equal(r.stderr.trim(), "", `ffprobe errors on ${file}`);
  return Number(r.stdout.trim());
}

test("onair records a published stream into interval files that ffprobe reads, alongside HLS", async (t) => {
  const dir = tempDir(t);
  const rec = join(dir, "rec");
  const hls = join(dir, "hls");
  const errorLog = join(dir, "error.log");
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const conf = join(dir, "onair.conf");
  writeFileSync(
    conf,
    `error_log ${errorLog} info;\npid ${join(dir, "onair.pid")};\nevents {}\n` +
      `rtmp { server { listen 127.0.0.1:${rtmpPort};\n` +
      `  application live { live on; record all; record_path ${rec}; record_suffix -%Y%m%d-%H%M%S.flv;\n` +
      `    record_interval 3s; hls on; hls_path ${hls}; hls_fragment 1s; hls_playlist_length 6s; } } }\n` +
      `http { access_log off; server { listen 127.0.0.1:${httpPort}; location /hls { root ${dir}; } } }\n`,
  );
  const server = startOnair(t, ["-c", conf, "-p", dir]);
  await onairStarted(server, errorLog);
  const media = makeMedia({ seconds: 8, gop: 1 });
  const pub = ffmpegPublish(t, media, `rtmp://127.0.0.1:${rtmpPort}/live/cam`);
  assert.equal(await pub.exited, 0, pub.stderr());
  // the publisher left: the recorder closes (and patches) its last file
  await waitFor(() => existsSync(join(hls, "cam.m3u8")), 10_000, "the HLS playlist");
  server.kill("SIGQUIT");
  assert.equal(await server.exited, 0, server.stderr());

  const files = readdirSync(rec)
    .filter((f) => /^cam-\d{8}-\d{6}\.flv$/.test(f))
    .sort();
  assert.ok(files.length >= 2, `several interval files, got ${files.join(", ")}`);
  let total = 0;
  for (const f of files) total += probeDuration(join(rec, f));
  assert.ok(Math.abs(total - 8) < 1.5, `recorded ${total.toFixed(2)} s of an 8 s stream`);
});
