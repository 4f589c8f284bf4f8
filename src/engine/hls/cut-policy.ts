/**
 * Where segments are cut, as pure functions of the stream's own timeline.
 *
 * Scheme (documented in docs/hls.md): the ideal boundaries are the multiples
 * k × hls_fragment of stream time. A video segment ends at the keyframe
 * nearest to the next multiple (ties go to the later keyframe). Deciding
 * online, at keyframe t with previous keyframe p (GOP g = t − p), t is a
 * boundary when some multiple m lies in [ (p+t)/2 , t + g/2 ): those are the
 * multiples nearer to t than to p, or nearer to t than to the next keyframe
 * expected one GOP later. The decision depends only on the keyframe
 * timestamps, so two servers fed the same stream cut at the same frames, and
 * a server that joins late converges from its first boundary on. Audio-only
 * streams are cut at the first frame at or past each multiple.
 */

/** EXT-X-TARGETDURATION (seconds), fixed for a stream's life: ceil(1.5 × fragment), capped by max fragment. */
export function targetDurationFor(fragmentMs: number, maxFragmentMs: number): number {
  const bound = Math.min(Math.ceil((1.5 * fragmentMs) / 1000), Math.ceil(maxFragmentMs / 1000));
  return Math.max(1, bound);
}

/**
 * A segment this long (ms) is cut at the next frame even without a keyframe,
 * so that no EXTINF rounded to the nearest integer exceeds the target
 * duration (RFC 8216 4.3.3.1) as long as frames are < 240 ms apart.
 */
export function forceCutMs(targetDuration: number): number {
  return targetDuration * 1000 + 250;
}

/** True when keyframe `t` (previous keyframe `p`) is a segment boundary for `fragmentMs`. */
export function isKeyframeBoundary(p: number, t: number, fragmentMs: number): boolean {
  if (t <= p) return false;
  const lo = (p + t) / 2;
  const hi = t + (t - p) / 2;
  const m = Math.ceil(lo / fragmentMs) * fragmentMs;
  return m < hi;
}

/** Audio-only: true when `t` is the first frame at or past a multiple after `segStart`. */
export function isTimeBoundary(segStart: number, t: number, fragmentMs: number): boolean {
  return Math.floor(t / fragmentMs) > Math.floor(segStart / fragmentMs);
}

/** The sequence number stream time suggests for a segment starting at `startMs`. */
export function sequenceFromTime(startMs: number, fragmentMs: number): number {
  return Math.max(0, Math.round(startMs / fragmentMs));
}
