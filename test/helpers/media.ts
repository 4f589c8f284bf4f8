/**
 * Test media made by ffmpeg in the test itself (never downloaded): H.264 with
 * B-frames + AAC from testsrc2/sine, audio-only and video-only variants.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface MediaSpec {
  seconds: number;
  /** GOP in seconds (default 2). */
  gop?: number;
  audio?: boolean;
  video?: boolean;
  fps?: number;
  /** video bitrate, e.g. "2000k" */
  bitrate?: string;
  size?: string;
}

const cacheDir = join(tmpdir(), "onair-test-media");

/** Returns the path of an FLV file matching `spec`, made once per machine and cached in the OS temp dir. */
export function makeMedia(spec: MediaSpec): string {
  const {
    seconds,
    gop = 2,
    audio = true,
    video = true,
    fps = 25,
    bitrate = "1000k",
    size = "640x360",
  } = spec;
  mkdirSync(cacheDir, { recursive: true });
  const name = `m-${seconds}s-g${gop}-a${+audio}-v${+video}-${fps}fps-${bitrate}-${size}.flv`;
  const out = join(cacheDir, name);
  if (existsSync(out)) return out;
  const args = ["-hide_banner", "-loglevel", "error", "-y"];
  if (video) args.push("-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${fps}:duration=${seconds}`);
  if (audio) args.push("-f", "lavfi", "-i", `sine=frequency=440:sample_rate=44100:duration=${seconds}`);
  if (video) {
    args.push(
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-profile:v",
      "high",
      "-pix_fmt",
      "yuv420p",
      "-bf",
      "2",
      "-g",
      String(Math.round(gop * fps)),
      "-keyint_min",
      String(Math.round(gop * fps)),
      "-sc_threshold",
      "0",
      "-b:v",
      bitrate,
    );
  }
  if (audio) args.push("-c:a", "aac", "-b:a", "128k", "-ar", "44100");
  const tmp = `${out}.${process.pid}.tmp.flv`;
  args.push("-f", "flv", tmp);
  const r = spawnSync("ffmpeg", args, { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`ffmpeg failed making test media: ${r.stderr?.toString()}`);
  spawnSync("mv", ["-f", tmp, out]);
  return out;
}
