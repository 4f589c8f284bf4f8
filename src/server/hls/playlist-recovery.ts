/**
 * Reads back what a previous run (ours or nginx-rtmp's) left on disk for one
 * stream, so the media sequence and the discontinuity sequence go on after
 * an onair restart (hls_continuous on), and finds stale segment files that
 * no playlist lists any more, so they can be cleaned up.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { HlsNames } from "../../engine/hls/hls-names.js";
import type { RecoveredPlaylist } from "../../engine/hls/hls-playlist-state.js";
import { MAX_PLAYLIST_BYTES, parseMediaPlaylist } from "../../protocol/hls/media-playlist.js";

export function recoverPlaylist(names: HlsNames): RecoveredPlaylist | null {
  let text: string;
  try {
    if (statSync(names.playlist).size > MAX_PLAYLIST_BYTES) return null;
    text = readFileSync(names.playlist, "utf8");
  } catch {
    return null;
  }
  const p = parseMediaPlaylist(text);
  if (!p) return null;
  return {
    mediaSequence: p.mediaSequence,
    discontinuitySequence: p.discontinuitySequence,
    targetDuration: p.targetDuration,
    segments: p.segments.map((s) => ({
      uri: s.uri,
      durationMs: Math.round(s.duration * 1000),
      discontinuity: s.discontinuity,
    })),
  };
}

/** Segment files of this stream in its folder that `listed` does not contain. */
export function staleSegments(names: HlsNames, listed: Set<string>, segmentPattern: RegExp): string[] {
  let entries: string[];
  try {
    entries = readdirSync(names.dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!segmentPattern.test(e)) continue;
    const path = `${names.dir}/${e}`;
    if (!listed.has(path)) out.push(path);
  }
  return out;
}
