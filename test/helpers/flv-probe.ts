/** ffprobe-based comparison of what a player received with the published source. */
import { spawnSync } from "node:child_process";

export interface Pkt {
  type: "video" | "audio";
  dts: number;
  pts: number;
  size: number;
  key: boolean;
}

/** Packets of a media file as ffprobe reads them (ms timestamps). */
export function probePackets(file: string): Pkt[] {
  const r = spawnSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-show_entries",
      "packet=codec_type,dts_time,pts_time,size,flags",
      "-of",
      "csv=p=0",
      file,
    ],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("video") || l.startsWith("audio"))
    .map((l) => {
      // ffprobe prints pts_time before dts_time whatever order -show_entries names them
      const [type, pts, dts, size, flags] = l.split(",");
      return {
        type: type as "video" | "audio",
        dts: Math.round(Number(dts) * 1000),
        pts: Math.round(Number(pts) * 1000),
        size: Number(size),
        key: (flags ?? "").startsWith("K"),
      };
    });
}

/** Codec names of a file's streams, e.g. ["h264", "aac"]. */
export function probeCodecs(file: string): string[] {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", file],
    {
      encoding: "utf8",
    },
  );
  return r.stdout.trim().split("\n").filter(Boolean).sort();
}

export interface SpanMatch {
  /** Packets of this type received. */
  received: number;
  /** Index in the source where the received run starts. */
  start: number;
  /** Timestamp offset received - source (ms). */
  offset: number;
  /** Received packets that differ from the source at the same position. */
  mismatches: number;
}

/**
 * Checks that the received packets of one type are a contiguous run of the
 * source's (same sizes, pts/dts at one constant offset).
 */
export function matchSpan(source: Pkt[], received: Pkt[], type: "video" | "audio"): SpanMatch {
  const src = source.filter((p) => p.type === type);
  const got = received.filter((p) => p.type === type);
  if (got.length === 0) return { received: 0, start: -1, offset: 0, mismatches: 0 };
  // Find where the first 5 received sizes line up with the source.
  let start = -1;
  for (let i = 0; i < src.length && start < 0; i++) {
    let ok = true;
    for (let k = 0; k < Math.min(5, got.length) && ok; k++) ok = src[i + k]?.size === got[k]!.size;
    if (ok) start = i;
  }
  if (start < 0) return { received: got.length, start: -1, offset: 0, mismatches: got.length };
  const offset = got[0]!.dts - src[start]!.dts;
  let mismatches = 0;
  got.forEach((g, k) => {
    const s = src[start + k];
    if (!s || s.size !== g.size || s.dts + offset !== g.dts || s.pts + offset !== g.pts) mismatches++;
  });
  return { received: got.length, start, offset, mismatches };
}

export interface FlvTag {
  type: number;
  timestamp: number;
  body: Buffer;
}

/** The tags of an FLV file as written (no demuxer in between). */
export function readFlvTags(data: Buffer): FlvTag[] {
  const out: FlvTag[] = [];
  let p = data.length >= 9 ? data.readUInt32BE(5) + 4 : 0;
  while (p + 11 <= data.length) {
    const size = data.readUIntBE(p + 1, 3);
    if (p + 11 + size > data.length) break;
    const timestamp = (data.readUIntBE(p + 4, 3) | (data[p + 7]! << 24)) >>> 0;
    out.push({ type: data[p]!, timestamp, body: data.subarray(p + 11, p + 11 + size) });
    p += 11 + size + 4;
  }
  return out;
}
