/**
 * HLS media playlist text (RFC 8216 section 4.3): rendering, and the lenient
 * parsing needed to recover a stream's state from a playlist left on disk.
 */

export interface PlaylistSegment {
  /** Seconds (real duration, printed with 3 decimals). */
  duration: number;
  uri: string;
  /** EXT-X-DISCONTINUITY before this segment. */
  discontinuity: boolean;
}

export interface MediaPlaylist {
  version: number;
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  segments: PlaylistSegment[];
  endList: boolean;
}

/** EXTINF value: 3 decimals, never rounding a duration up past what it is to the millisecond. */
export function formatDuration(seconds: number): string {
  return (Math.round(seconds * 1000) / 1000).toFixed(3);
}

export function renderMediaPlaylist(p: MediaPlaylist): string {
  const lines = [
    "#EXTM3U",
    `#EXT-X-VERSION:${p.version}`,
    `#EXT-X-TARGETDURATION:${p.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`,
  ];
  // 4.3.3.3: only needed once a discontinuity has left the playlist
  if (p.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  for (const s of p.segments) {
    if (s.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
    lines.push(`#EXTINF:${formatDuration(s.duration)},`, s.uri);
  }
  if (p.endList) lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}

/** Bound on what we are willing to parse back (a playlist we wrote is far smaller). */
export const MAX_PLAYLIST_BYTES = 1024 * 1024;

/**
 * Parses a media playlist leniently (ours or nginx-rtmp's): unknown tags are
 * skipped. Returns null when the text is not a playlist at all.
 */
export function parseMediaPlaylist(text: string): MediaPlaylist | null {
  if (text.length > MAX_PLAYLIST_BYTES || !text.startsWith("#EXTM3U")) return null;
  const p: MediaPlaylist = {
    version: 3,
    targetDuration: 0,
    mediaSequence: 0,
    discontinuitySequence: 0,
    segments: [],
    endList: false,
  };
  let duration = -1;
  let discontinuity = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const colon = line.indexOf(":");
    const tag = colon > 0 ? line.slice(0, colon) : line;
    const value = colon > 0 ? line.slice(colon + 1) : "";
    if (tag === "#EXT-X-VERSION") p.version = toInt(value, 3);
    else if (tag === "#EXT-X-TARGETDURATION") p.targetDuration = toInt(value, 0);
    else if (tag === "#EXT-X-MEDIA-SEQUENCE") p.mediaSequence = toInt(value, 0);
    else if (tag === "#EXT-X-DISCONTINUITY-SEQUENCE") p.discontinuitySequence = toInt(value, 0);
    else if (tag === "#EXT-X-DISCONTINUITY") discontinuity = true;
    else if (tag === "#EXT-X-ENDLIST") p.endList = true;
    else if (tag === "#EXTINF") duration = Number.parseFloat(value);
    else if (!line.startsWith("#")) {
      p.segments.push({
        duration: Number.isFinite(duration) && duration >= 0 ? duration : 0,
        uri: line,
        discontinuity,
      });
      duration = -1;
      discontinuity = false;
    }
  }
  return p;
}

function toInt(v: string, dflt: number): number {
  const n = Number.parseInt(v, 10);
  return Number.isSafeInteger(n) && n >= 0 ? n : dflt;
}
