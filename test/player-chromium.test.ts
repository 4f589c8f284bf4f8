/**
 * Debian's chromium (driven by playwright-core) plays a live HLS stream from
 * onair's default page with hls.js: video.currentTime advances for 10 s and
 * hls.js reports no fatal error. The stream is made live by ffmpeg's own HLS
 * muxer into the served folder (to be switched to the full onair pipeline).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { HttpServer } from "../src/server/http/http-server.js";
import { memoryLogger } from "../src/util/logger.js";
import { assertPlaysLive, CHROMIUM, openChromium } from "./helpers/chromium.js";
import { freePort, type Proc, projectRoot, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { guideConfig } from "./http-fixture.js";

test("chromium plays a live stream from the default page with hls.js", {
  skip: !existsSync(CHROMIUM),
}, async (t) => {
  // after-hooks run in registration order: stop ffmpeg before its folder is removed
  let ffmpeg: Proc | undefined;
  t.after(async () => {
    ffmpeg?.kill();
    await ffmpeg?.exited;
  });
  const base = tempDir(t, "onair-player-");
  const www = join(base, "www");
  mkdirSync(join(www, "hls"), { recursive: true });
  const playlist = join(www, "hls", "test.m3u8");
  // ffmpeg's HLS muxer stands in for onair's packager: H.264 with B-frames + AAC, 1 s segments.
  ffmpeg = startProcess(t, "ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-re"],
    ...["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "2"],
    ...["-c:a", "aac", "-b:a", "96k"],
    ...["-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "delete_segments+temp_file"],
    ...["-hls_segment_filename", join(www, "hls", "test-%d.ts"), playlist],
  ]);
  await waitFor(
    () => existsSync(playlist) && (readFileSync(playlist, "utf8").match(/#EXTINF/g)?.length ?? 0) >= 2,
    20000,
    `ffmpeg's first playlist (${ffmpeg?.stderr()})`,
  );

  const port = await freePort();
  const server = new HttpServer({
    config: guideConfig(base, www, join(projectRoot, "html"), port),
    log: memoryLogger(),
    accessLog: null,
    overlay: null,
    streams: () => [{ app: "live", name: "test", hls: "/hls/test.m3u8", video: "H.264 640x360" }],
  });
  await server.start();
  t.after(() => server.stop());

  const chrome = await openChromium(t);
  // Browser-side code is given as strings: this project's typecheck has no DOM lib.
  const mse = await chrome.page.evaluate(
    `MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001e,mp4a.40.2"')`,
  );
  assert.ok(mse, "this chromium cannot play H.264 + AAC through MSE");
  await assertPlaysLive(t, chrome, `http://127.0.0.1:${port}/?stream=live/test`, "live/test");
});
