/**
 * Debian's chromium driven by playwright-core for the player suites: a
 * headless persistent context in its own profile folder (closed, then removed,
 * when the test ends) and the check that onair's default page plays a live
 * stream with hls.js (video.currentTime advancing for 10 s, no fatal error).
 * Browser-side code is given as strings: this project's typecheck has no DOM lib.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { sleep } from "./env.js";

export const CHROMIUM = "/usr/bin/chromium";

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

export interface ChromiumPage {
  page: Page;
  /** console errors and uncaught page errors, in order. */
  consoleErrors: string[];
}

/** Launches headless chromium in a fresh profile (closed, then removed, at test end); returns its page. */
export async function openChromium(t: TestContext): Promise<ChromiumPage> {
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
  return { page, consoleErrors };
}

/**
 * Opens `url` (onair's default page with `?stream=`), waits for `stream`
 * (app/name) in the page's list and for playback to start, then samples
 * video.currentTime every second for 10 s: every sample advances (one hiccup
 * tolerated), 8 s or more in all, and hls.js reports no fatal error.
 */
export async function assertPlaysLive(
  t: TestContext,
  c: ChromiumPage,
  url: string,
  stream: string,
): Promise<void> {
  const { page, consoleErrors } = c;
  const navigated = Date.now();
  await page.goto(url);
  await page.waitForSelector(`#streams a[data-stream="${stream}"]`, { timeout: 10_000 });
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
}
