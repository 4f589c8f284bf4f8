/**
 * Debian's chromium (playwright-core) plays, from onair's default page, a
 * stream that ffmpeg publishes over RTMP into the whole onair process (the
 * guide's nginx.conf, hls_fragment 1s): the stream shows in the page's list,
 * `/?stream=live/NAME` plays it with hls.js, video.currentTime advances for
 * 10 s, hls.js reports no fatal error; prints the time to first frame.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type BrowserContext, chromium } from "playwright-core";
import { sleep, startProcess, waitFor } from "./helpers/env.js";
import { makeMedia } from "./helpers/media.js";
import { startOnair } from "./helpers/onair-process.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface PageState {
  time: number;
  fatal: unknown;
  errors: unknown[];
  firstFrameMs: number | null;
}

test("chromium plays a stream published into onair from the default page", {
  skip: !existsSync(CHROMIUM),
}, async (t) => {
  const onair = await startOnair(t, { fragment: "1s", playlistLength: "6s" });
  const media = makeMedia({ seconds: 40, gop: 1 });
  const publishedAt = performance.now();
  const pub = startProcess(t, "ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-re", "-i", media],
    ...["-c", "copy", "-f", "flv", onair.rtmpUrl("cam1")],
  ]);
  await waitFor(
    async () => {
      const res = await fetch(`${onair.httpBase}/hls/cam1.m3u8`);
      const text = await res.text();
      return res.status === 200 && (text.match(/#EXTINF/g)?.length ?? 0) >= 2;
    },
    20_000,
    `onair's first playlist (${pub.stderr()})`,
    100,
  );
  t.diagnostic(`two segments listed ${Math.round(performance.now() - publishedAt)} ms after ffmpeg started`);

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
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  const navigated = Date.now();
  // Browser-side code is given as strings: this project's typecheck has no DOM lib.
  await page.goto(`${onair.httpBase}/?stream=live/cam1`);
  // the list comes from /onair/api/streams: the published stream is there, with its playlist
  await page.waitForSelector('#streams a[data-stream="live/cam1"]', { timeout: 10_000 });
  const state = () =>
    page.evaluate(`(() => {
      const v = document.getElementById("video");
      const o = window.onair;
      return { time: v.currentTime, fatal: o.fatal, errors: o.errors, firstFrameMs: o.firstFrameMs };
    })()`) as Promise<PageState>;
  const started = await page
    .waitForFunction(
      `document.getElementById("video").currentTime > 0 && window.onair.firstFrameMs !== null`,
      null,
      { timeout: 20_000 },
    )
    .then(() => true)
    .catch(() => false);
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
  assert.ok(pub.child.exitCode === null, `the publisher ran through the test: ${pub.stderr()}`);
});
