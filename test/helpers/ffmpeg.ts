/**
 * ffmpeg as the RTMP clients of the end-to-end suites: a publisher that sends
 * a media file (streams copied, paced like a live encoder unless told not to)
 * and a player that copies what it receives into an FLV file (or discards it).
 * Both are killed by PID when the test ends (see `startProcess`).
 */
import type { TestContext } from "node:test";
import { type Proc, startProcess } from "./env.js";

/** Quiet ffmpeg: only errors on stderr. */
const QUIET = ["-hide_banner", "-loglevel", "error"];

export interface PublishOptions {
  /** Read the input at its native frame rate (`-re`), as a live encoder sends (default true). */
  realtime?: boolean;
  /** Output options placed before `-c copy -f flv URL`, e.g. `["-t", "4"]`. */
  output?: string[];
}

/** ffmpeg arguments publishing `media` to the RTMP `url`, streams copied. */
export function publishArgs(media: string, url: string, o: PublishOptions = {}): string[] {
  const { realtime = true, output = [] } = o;
  return [...QUIET, ...(realtime ? ["-re"] : []), "-i", media, ...output, "-c", "copy", "-f", "flv", url];
}

/** Starts ffmpeg publishing `media` to the RTMP `url`. */
export function ffmpegPublish(t: TestContext, media: string, url: string, o: PublishOptions = {}): Proc {
  return startProcess(t, "ffmpeg", publishArgs(media, url, o));
}

/** Starts ffmpeg playing the RTMP `url` into the FLV file `out` (streams copied), or discarding it if `out` is "-". */
export function ffmpegPlay(t: TestContext, url: string, out: string): Proc {
  const format = out === "-" ? "null" : "flv";
  return startProcess(t, "ffmpeg", [...QUIET, "-i", url, "-c", "copy", "-f", format, out]);
}
