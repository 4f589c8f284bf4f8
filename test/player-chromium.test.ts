/**
 * Debian's chromium (driven by playwright-core) plays a live HLS stream from
 * onair's default page with hls.js: video.currentTime advances for 10 s and
 * hls.js reports no fatal error. The stream is made live by ffmpeg's own HLS
 * muxer into the served folder (to be switched to the full onair pipeline).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type BrowserContext, chromium } from "playwright-core";
import { HttpServer } from "../src/server/http/http-server.js";
import { memoryLogger } from "../src/util/logger.js";
import { freePort, type Proc, projectRoot, sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { guideConfig } from "./http-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
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

  // chromium writes into its profile until it has closed: close it first, then remove the folder
  const profile = mkdtempSync(join(tmpdir(), "onair-chromium-"));
  let context: BrowserContext | undefined;
  t.after(async () => {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  // Browser-side code is given as strings: this project's typecheck has no DOM lib.
  const mse = await page.evaluate(`MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001e,mp4a.40.2"')`);
  assert.ok(mse, "this chromium cannot play H.264 + AAC through MSE");

  const navigated = Date.now();
  await page.goto(`http://127.0.0.1:${port}/?stream=live/test`);
  await page.waitForSelector('#streams a[data-stream="live/test"]', { timeout: 10000 });
  const started = await page
    .waitForFunction(
      `document.getElementById("video").currentTime > 0 && window.onair.firstFrameMs !== null`,
      null,
      { timeout: 20000 },
    )
    .then(() => true)
    .catch(() => false);
  const state = () =>
    page.evaluate(`(() => {
      const v = document.getElementById("video");
      const o = window.onair;
      return { time: v.currentTime, fatal: o.fatal, errors: o.errors, firstFrameMs: o.firstFrameMs };
    })()`) as Promise<{ time: number; fatal: unknown; errors: unknown[]; firstFrameMs: number | null }>;
  assert.ok(started, `playback never started: ${JSON.stringify(await state())} ${consoleErrors.join(" | ")}`);
  const ttff = Date.now() - navigated;
  const first = await state();
  t.diagnostic(
    `time to first frame: ${ttff} ms from navigation, ${first.firstFrameMs} ms in the page from play()`,
  );

  const samples: number[] = [first.time];
  for (let i = 0; i < 10; i++) {
    await sleep(1000);
    samples.push((await state()).time);
  }
  const last = await state();
  t.diagnostic(`currentTime samples: ${samples.map((s) => s.toFixed(2)).join(" ")}`);
  // every 1 s sample advances (one hiccup tolerated on a loaded CI machine), 8 s or more in all
  let stalls = 0;
  for (let i = 1; i < samples.length; i++) if (!(samples[i]! > samples[i - 1]!)) stalls++;
  assert.ok(stalls <= 1, `currentTime stalled ${stalls} times: ${samples.join(", ")}`);
  assert.ok(samples.at(-1)! - samples[0]! >= 8, `advanced only ${samples.at(-1)! - samples[0]!} s in 10 s`);
  assert.equal(last.fatal, null, `fatal hls.js error: ${JSON.stringify(last.errors)}`);
});
