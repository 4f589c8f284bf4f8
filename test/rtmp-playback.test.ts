/**
 * ffmpeg publishes H.264 (B-frames) + AAC; ffmpeg and rtmpdump play it, from
 * the start and joining mid-stream. What each received must have the source's
 * codecs and the same frames and timestamps over the span it played; a
 * mid-stream joiner starts on a keyframe (GOP cache).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { matchSpan, probeCodecs, probePackets } from "./helpers/flv-probe.js";
import { makeMedia } from "./helpers/media.js";
import { startRtmpServer } from "./helpers/rtmp-client.js";

test("ffmpeg publishes; ffmpeg and rtmpdump play from the start and mid-stream", async (t) => {
  const dir = tempDir(t);
  const media = makeMedia({ seconds: 12, gop: 2 });
  const srv = await startRtmpServer(t);
  const url = srv.url("live/test");
  const pub = ffmpegPublish(t, media, url);
  await waitFor(() => srv.server.stats().find((s) => s.publishing && s.bytesIn > 0), 10_000, "publisher");
  const play = (name: string, tool: "ffmpeg" | "rtmpdump") => {
    const out = join(dir, `${name}.flv`);
    const args =
      tool === "ffmpeg"
        ? ["-hide_banner", "-loglevel", "error", "-y", "-i", url, "-c", "copy", "-f", "flv", out]
        : ["-q", "-r", url, "-o", out];
    return { out, proc: startProcess(t, tool, args) };
  };
  const early = [play("ffmpeg-start", "ffmpeg"), play("rtmpdump-start", "rtmpdump")];
  await sleep(5000);
  const late = [play("ffmpeg-late", "ffmpeg"), play("rtmpdump-late", "rtmpdump")];
  assert.equal(await pub.exited, 0, `publisher failed: ${pub.stderr()}`);
  for (const p of [...early, ...late]) {
    const code = await Promise.race([p.proc.exited, sleep(10_000).then(() => "timeout")]);
    // rtmpdump exits 0 (complete) or 2 (incomplete: live stream ended); both are normal ends of a live stream.
    assert.ok(code === 0 || code === 2, `${p.out}: exit ${code}: ${p.proc.stderr()}`);
  }
  const source = probePackets(media);
  const srcCodecs = probeCodecs(media);
  for (const p of [...early, ...late]) {
    const got = probePackets(p.out);
    assert.deepEqual(probeCodecs(p.out), srcCodecs, `${p.out} codecs`);
    for (const type of ["video", "audio"] as const) {
      const m = matchSpan(source, got, type);
      assert.ok(m.start >= 0, `${p.out} ${type}: received frames not found in the source`);
      assert.equal(m.mismatches, 0, `${p.out} ${type}: ${m.mismatches} frames differ from the source`);
      const total = source.filter((s) => s.type === type).length;
      const isEarly = early.includes(p);
      // Early players get (almost) everything; late ones at least the last ~6 s.
      assert.ok(m.received >= total * (isEarly ? 0.8 : 0.4), `${p.out} ${type}: only ${m.received}/${total}`);
      if (p.out.includes("rtmpdump")) assert.equal(m.offset, 0, "rtmpdump keeps the source timestamps");
    }
    const firstVideo = got.find((x) => x.type === "video")!;
    assert.ok(firstVideo.key, `${p.out}: first video frame is a keyframe`);
  }
  // The late joiners started from the GOP cache: their first keyframe is older than their join time (~5 s).
  const lateFirst = probePackets(late[1]!.out).find((x) => x.type === "video")!;
  assert.ok(
    lateFirst.dts <= 6000,
    `late joiner's first frame at ${lateFirst.dts} ms comes from the GOP cache`,
  );
});
