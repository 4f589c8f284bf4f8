/**
 * Debian's chromium (playwright-core) plays, from onair's default page, a
 * stream that ffmpeg publishes over RTMP into the whole onair process (the
 * guide's nginx.conf, hls_fragment 1s): the stream shows in the page's list,
 * `/?stream=live/NAME` plays it with hls.js, video.currentTime advances for
 * 10 s, hls.js reports no fatal error; prints the time to first frame.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { assertPlaysLive, CHROMIUM, openChromium } from "./helpers/chromium.js";
import { waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { makeMedia } from "./helpers/media.js";
import { startOnair } from "./helpers/onair-process.js";

test("chromium plays a stream published into onair from the default page", {
  skip: !existsSync(CHROMIUM),
}, async (t) => {
  const onair = await startOnair(t, { fragment: "1s", playlistLength: "6s" });
  const media = makeMedia({ seconds: 40, gop: 1 });
  const publishedAt = performance.now();
  const pub = ffmpegPublish(t, media, onair.rtmpUrl("cam1"));
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

  const chrome = await openChromium(t);
  // the list comes from /onair/api/streams: the published stream is there, with its playlist
  await assertPlaysLive(t, chrome, `${onair.httpBase}/?stream=live/cam1`, "live/cam1");
  assert.ok(pub.child.exitCode === null, `the publisher ran through the test: ${pub.stderr()}`);
});
