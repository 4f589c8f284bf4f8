/**
 * The life of one HLS playlist (one stream name under one hls_path), across
 * publishes: the window of listed segments (measured in seconds), media and
 * discontinuity sequence numbers, ENDLIST, and deletion of segments once they
 * left the playlist plus a grace period (RFC 8216 6.2.2). No I/O: it emits
 * actions; timers run on the injected clock.
 */

import { type MediaPlaylist, renderMediaPlaylist } from "../../protocol/hls/media-playlist.js";
import type { Clock, TimerHandle } from "../clock.js";
import { sequenceFromTime, targetDurationFor } from "./cut-policy.js";
import type { HlsActionSink, HlsSettings } from "./hls-actions.js";
import type { HlsNames } from "./hls-names.js";

export interface ListedSegment {
  seq: number;
  /** null for a recovered entry whose URI is not one of ours (never deleted). */
  path: string | null;
  uri: string;
  durationMs: number;
  discontinuity: boolean;
}

/** What the server layer read back from a playlist on disk. */
export interface RecoveredPlaylist {
  mediaSequence: number;
  discontinuitySequence: number;
  targetDuration: number;
  segments: { uri: string; durationMs: number; discontinuity: boolean }[];
}

export const PLAYLIST_VERSION = 3;

export interface PlaylistStateOptions {
  names: HlsNames;
  settings: HlsSettings;
  clock: Clock;
  emit: HlsActionSink;
  recovered?: RecoveredPlaylist | null;
}

export class HlsPlaylistState {
  readonly names: HlsNames;
  readonly targetDuration: number;
  readonly #s: HlsSettings;
  readonly #clock: Clock;
  readonly #emit: HlsActionSink;
  #segments: ListedSegment[] = [];
  #nextSeq = 0;
  #discSeq = 0;
  #pendingDisc = false;
  #firstOfPublish = true;
  #publishing = false;
  #ended = false;
  #timers = new Map<string, TimerHandle>();
  #endTimer: TimerHandle | null = null;

  constructor(o: PlaylistStateOptions) {
    this.names = o.names;
    this.#s = o.settings;
    this.#clock = o.clock;
    this.#emit = o.emit;
    let target = targetDurationFor(o.settings.fragmentMs, o.settings.maxFragmentMs);
    const r = o.recovered;
    if (r) {
      this.#nextSeq = r.mediaSequence + r.segments.length;
      this.#discSeq = r.discontinuitySequence;
      r.segments.forEach((s, i) => {
        this.#segments.push({ ...s, seq: r.mediaSequence + i, path: o.names.uriToPath(s.uri) });
      });
      // a recovered playlist keeps its target duration if it was larger (RFC 8216 6.2.1: never changes)
      target = Math.max(target, r.targetDuration);
    }
    this.targetDuration = target;
  }

  get publishing(): boolean {
    return this.#publishing;
  }

  get segments(): readonly ListedSegment[] {
    return this.#segments;
  }

  get mediaSequence(): number {
    return this.#segments[0]?.seq ?? this.#nextSeq;
  }

  get discontinuitySequence(): number {
    return this.#discSeq;
  }

  /** A publisher starts: continue (hls_continuous on) or start over. */
  beginPublish(): void {
    this.#publishing = true;
    this.#ended = false;
    this.#firstOfPublish = true;
    this.#cancelTimer(this.names.playlist);
    if (this.#endTimer) this.#clock.clearTimeout(this.#endTimer);
    this.#endTimer = null;
    if (!this.#s.continuous) {
      for (const s of this.#segments) this.#retire(s);
      this.#segments = [];
      this.#nextSeq = 0;
      this.#discSeq = 0;
      this.#pendingDisc = false;
      return;
    }
    for (const s of this.#segments) if (s.path) this.#cancelTimer(s.path);
    if (this.#segments.length > 0) this.#pendingDisc = true;
  }

  /** The next segment starts a new timeline (codec/resolution change, republish). */
  markDiscontinuity(): void {
    if (this.#segments.length > 0 || !this.#firstOfPublish) this.#pendingDisc = true;
  }

  /** The sequence number the next segment gets (see docs/hls.md, "numbering"). */
  nextSeq(startMs: number): number {
    if (!this.#firstOfPublish) return this.#nextSeq;
    return Math.max(this.#nextSeq, sequenceFromTime(startMs, this.#s.fragmentMs));
  }

  /** Lists a segment already written (its "segment" action precedes this call). */
  addSegment(seg: { seq: number; path: string; uri: string; durationMs: number }): void {
    this.#cancelTimer(seg.path);
    this.#segments.push({ ...seg, discontinuity: this.#pendingDisc });
    this.#pendingDisc = false;
    this.#firstOfPublish = false;
    this.#nextSeq = seg.seq + 1;
    this.#trimWindow();
    this.#writePlaylist();
  }

  /**
   * The publisher stopped: ENDLIST (unless hls_endlist off). The ended
   * playlist stays hls_playlist_length, its segments twice that (as
   * nginx-rtmp's cleanup sweeps them); files are deleted only with
   * hls_cleanup on, memory is freed either way.
   */
  end(): void {
    this.#publishing = false;
    this.#ended = true;
    if (this.#segments.length === 0) return;
    this.#writePlaylist();
    const L = this.#s.playlistLengthMs;
    this.#schedule(this.names.playlist, L, this.#s.cleanup);
    this.#endTimer = this.#clock.setTimeout(() => {
      this.#endTimer = null;
      for (const s of this.#segments) {
        if (s.discontinuity) this.#discSeq++;
        if (s.path) this.#emit({ type: "delete", path: s.path, file: this.#s.cleanup });
      }
      this.#segments = [];
    }, 2 * L);
  }

  render(): string {
    const p: MediaPlaylist = {
      version: PLAYLIST_VERSION,
      targetDuration: this.targetDuration,
      mediaSequence: this.mediaSequence,
      discontinuitySequence: this.#discSeq,
      segments: this.#segments.map((s) => ({
        duration: s.durationMs / 1000,
        uri: s.uri,
        discontinuity: s.discontinuity,
      })),
      endList: this.#ended && this.#s.endlist,
    };
    return renderMediaPlaylist(p);
  }

  /** Server quitting: run every pending deletion now, stop the timers. */
  flushTimers(): void {
    for (const [path, h] of this.#timers) {
      this.#clock.clearTimeout(h);
      this.#emit({ type: "delete", path, file: this.#s.cleanup });
    }
    this.#timers.clear();
  }

  #trimWindow(): void {
    let total = 0;
    for (const s of this.#segments) total += s.durationMs;
    while (this.#segments.length > 1 && total > this.#s.playlistLengthMs) {
      const old = this.#segments.shift()!;
      total -= old.durationMs;
      // 4.3.3.3: the discontinuity sequence counts the discontinuities that left the playlist
      if (old.discontinuity) this.#discSeq++;
      this.#retire(old);
    }
    if (this.#segments[0]?.discontinuity) {
      // a leading discontinuity tag says nothing any more: fold it into the sequence number
      this.#segments[0].discontinuity = false;
      this.#discSeq++;
    }
  }

  /** A segment left the playlist: forget it after its duration plus the window (6.2.2). */
  #retire(s: ListedSegment): void {
    if (!s.path) return;
    this.#schedule(s.path, s.durationMs + this.#s.playlistLengthMs, this.#s.cleanup);
  }

  #schedule(path: string, ms: number, file: boolean): void {
    this.#cancelTimer(path);
    const h = this.#clock.setTimeout(() => {
      this.#timers.delete(path);
      this.#emit({ type: "delete", path, file });
    }, ms);
    this.#timers.set(path, h);
  }

  #cancelTimer(path: string): void {
    const h = this.#timers.get(path);
    if (h) {
      this.#clock.clearTimeout(h);
      this.#timers.delete(path);
    }
  }

  #writePlaylist(): void {
    this.#emit({
      type: "playlist",
      path: this.names.playlist,
      tmpPath: this.names.playlistTmp,
      data: Buffer.from(this.render(), "utf8"),
    });
  }
}
