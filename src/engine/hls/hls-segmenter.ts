/**
 * Packages one publish of a stream (FLV tag bodies in, MPEG-TS segments out):
 * waits for a keyframe, cuts segments where cut-policy says, feeds the
 * playlist state. Per-frame problems get a verdict and a counter, never an
 * exception: a bad frame is dropped, the stream goes on.
 */
import { parseAudioTag } from "../../protocol/flv/audio-tag.js";
import { parseVideoTag } from "../../protocol/flv/video-tag.js";
import { ADTS_HEADER_SIZE, ADTS_MAX_FRAME, writeAdtsHeader } from "../../protocol/mpegts/adts.js";
import { GrowBuffer } from "../../protocol/mpegts/grow-buffer.js";
import { appendAnnexB } from "../../protocol/mpegts/h264-annexb.js";
import { appendAnnexBHevc } from "../../protocol/mpegts/h265-annexb.js";
import { msTo90k } from "../../protocol/mpegts/timestamps.js";
import { TsMuxer } from "../../protocol/mpegts/ts-muxer.js";
import { forceCutMs, isKeyframeBoundary, isTimeBoundary } from "./cut-policy.js";
import type { HlsActionSink, HlsSettings } from "./hls-actions.js";
import type { HlsPlaylistState } from "./hls-playlist-state.js";
import { sameTracks, TrackConfig } from "./track-config.js";

/** Audio frames are gathered into one PES for up to this long (nginx-rtmp's hls_max_audio_delay default). */
export const AUDIO_FLUSH_MS = 300;
/** An audio PES must keep PES_packet_length within 16 bits. */
const AUDIO_PES_MAX = 60000;
/** A jump of the stream clock beyond this (or backwards) is a new timeline. */
const MAX_FORWARD_JUMP_MS = 30000;

export interface SegmenterCounters {
  frames: number;
  malformed: number;
  dropped: number;
  unsupported: number;
  segments: number;
}

export interface SegmenterOptions {
  state: HlsPlaylistState;
  settings: HlsSettings;
  emit: HlsActionSink;
  /** Wall clock in ms (hls_fragment_naming system). */
  wallClock?: () => number;
  /** Rate-limited by the caller; called once per kind of problem. */
  warn?: (message: string) => void;
}

export class HlsSegmenter {
  readonly counters: SegmenterCounters = { frames: 0, malformed: 0, dropped: 0, unsupported: 0, segments: 0 };
  readonly #o: SegmenterOptions;
  readonly #forceMs: number;
  readonly #tc = new TrackConfig();
  #mux: TsMuxer | null = null;
  #open = false;
  #segStartMs = 0;
  #segSeq = 0;
  #segPath = "";
  #segUri = "";
  #prevKeyMs = Number.NaN;
  #lastMasterMs = Number.NaN;
  #masterDeltaMs = 40;
  #resetPending = false;
  #audio = new GrowBuffer(64 * 1024);
  #audioStartMs = 0;
  #scratch = new GrowBuffer(512 * 1024);
  #lastSize = 512 * 1024;
  #warned = new Set<string>();

  constructor(o: SegmenterOptions) {
    this.#o = o;
    this.#forceMs = forceCutMs(o.state.targetDuration);
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#o.warn?.(message);
  }

  #malformed(what: string, e: unknown): void {
    this.counters.malformed++;
    this.#warnOnce(`malformed-${what}`, `hls: dropping malformed ${what}: ${(e as Error).message ?? e}`);
  }

  video(ts: number, body: Buffer): void {
    let tag: ReturnType<typeof parseVideoTag>;
    try {
      tag = parseVideoTag(body);
    } catch (e) {
      this.#malformed("video tag", e);
      return;
    }
    if (tag.codec === "other") {
      this.counters.unsupported++;
      this.#warnOnce("vcodec", "hls: video codec is not packaged (H.264, H.265 only)");
      return;
    }
    if (tag.kind === "config") {
      this.#videoConfig(tag.codec, tag.payload);
      return;
    }
    if (tag.kind !== "frame" || tag.payload.length === 0) return;
    const codec = tag.codec === "avc" ? "h264" : "h265";
    if (this.#tc.tracks.video !== codec) {
      this.counters.dropped++;
      return;
    }
    const key = tag.frameType === 1;
    this.#checkJump(ts);
    if (!this.#open) {
      if (!key) {
        this.counters.dropped++;
        return;
      }
      this.#openSegment(ts);
    } else if (this.#shouldCutVideo(ts, key)) {
      this.#cut(ts);
    }
    if (key) this.#prevKeyMs = ts;
    const mux = this.#mux!;
    if (mux.tracks.video !== codec) {
      this.counters.dropped++;
      return;
    }
    this.#scratch.reset();
    const verdict = this.#tc.avc
      ? appendAnnexB(this.#scratch, tag.payload, this.#tc.avc)
      : appendAnnexBHevc(this.#scratch, tag.payload, this.#tc.hevc!);
    if (verdict !== "ok") {
      this.#malformed("video access unit", new Error("NAL length past the end"));
      return;
    }
    if (this.#audio.length > 0 && ts - this.#audioStartMs >= AUDIO_FLUSH_MS) this.#flushAudio();
    mux.writeVideo({
      pts: msTo90k(ts + tag.cts),
      dts: msTo90k(ts),
      key,
      pcr: true,
      payload: this.#scratch.view(),
    });
    this.counters.frames++;
    this.#noteMaster(ts);
  }

  audio(ts: number, body: Buffer): void {
    let tag: ReturnType<typeof parseAudioTag>;
    try {
      tag = parseAudioTag(body);
    } catch (e) {
      this.#malformed("audio tag", e);
      return;
    }
    let codec: "aac" | "mp3";
    if (TrackConfig.isAac(tag.soundFormat)) {
      if (tag.aacPacketType === 0) {
        this.#aacConfig(tag.payload);
        return;
      }
      if (tag.aacPacketType !== 1 || !this.#tc.aac) {
        this.counters.dropped++;
        return;
      }
      codec = "aac";
    } else if (TrackConfig.isMp3(tag.soundFormat)) {
      if (this.#tc.noteMp3() === "changed" && this.#open) this.#resetPending = true;
      codec = "mp3";
    } else {
      this.counters.unsupported++;
      this.#warnOnce("acodec", `hls: audio format ${tag.soundFormat} is not packaged (AAC, MP3 only)`);
      return;
    }
    if (tag.payload.length === 0) return;
    const audioOnly = !this.#tc.hasVideo;
    if (audioOnly) this.#checkJump(ts);
    if (!this.#open) {
      if (!audioOnly) {
        this.counters.dropped++; // waiting for the first video keyframe
        return;
      }
      this.#openSegment(ts);
    } else if (audioOnly && this.#shouldCutAudio(ts)) {
      this.#cut(ts);
    }
    if (this.#mux!.tracks.audio !== codec) {
      this.counters.dropped++;
      return;
    }
    this.#appendAudio(ts, codec, tag.payload);
    if (audioOnly) this.#noteMaster(ts);
  }

  /** The publisher stopped: close the last segment (its duration: last frame + one frame). */
  stop(): void {
    if (this.#open) this.#closeSegment(this.#lastMasterMs + this.#masterDeltaMs);
    this.#o.state.end();
  }

  #videoConfig(codec: "avc" | "hevc", record: Buffer): void {
    try {
      const change = codec === "avc" ? this.#tc.setAvc(record) : this.#tc.setHevc(record);
      if (change === "changed" && this.#open) this.#resetPending = true;
    } catch (e) {
      this.#malformed(`${codec.toUpperCase()} sequence header`, e);
    }
  }

  #aacConfig(asc: Buffer): void {
    try {
      const change = this.#tc.setAac(asc);
      if (change === "unsupported") {
        this.counters.unsupported++;
        this.#warnOnce("aac-rate", "hls: AAC sample rate has no ADTS index; audio not packaged");
      } else if (change === "changed" && this.#open) {
        this.#resetPending = true;
      }
    } catch (e) {
      this.#malformed("AAC sequence header", e);
    }
  }

  #appendAudio(ts: number, codec: "aac" | "mp3", raw: Buffer): void {
    const size = codec === "aac" ? raw.length + ADTS_HEADER_SIZE : raw.length;
    if (size > ADTS_MAX_FRAME && codec === "aac") {
      this.#malformed("AAC frame", new Error(`${raw.length} bytes exceed ADTS`));
      return;
    }
    if (this.#audio.length + size > AUDIO_PES_MAX) this.#flushAudio();
    if (this.#audio.length === 0) this.#audioStartMs = ts;
    const a = this.#audio;
    if (codec === "aac") {
      a.ensure(ADTS_HEADER_SIZE);
      writeAdtsHeader(a.buf, a.length, this.#tc.aac!.adts, raw.length);
      a.length += ADTS_HEADER_SIZE;
    }
    a.append(raw);
    this.counters.frames++;
    if (ts - this.#audioStartMs >= AUDIO_FLUSH_MS) this.#flushAudio();
  }

  #flushAudio(): void {
    if (this.#audio.length === 0 || !this.#mux) return;
    const t = msTo90k(this.#audioStartMs);
    this.#mux.writeAudio({
      pts: t,
      dts: t,
      key: false,
      pcr: !this.#tc.hasVideo,
      payload: this.#audio.view(),
    });
    this.#audio.reset();
  }

  #shouldCutVideo(ts: number, key: boolean): boolean {
    if (ts <= this.#segStartMs) return false;
    if (this.#resetPending) return key;
    if (ts - this.#segStartMs >= this.#forceMs) return true;
    return key && isKeyframeBoundary(this.#prevKeyMs, ts, this.#o.settings.fragmentMs);
  }

  #shouldCutAudio(ts: number): boolean {
    if (ts <= this.#segStartMs) return false;
    if (this.#resetPending || ts - this.#segStartMs >= this.#forceMs) return true;
    return isTimeBoundary(this.#segStartMs, ts, this.#o.settings.fragmentMs);
  }

  /** A stream clock that jumps (back, or far forward) starts a new timeline. */
  #checkJump(ts: number): void {
    if (!this.#open || Number.isNaN(this.#lastMasterMs)) return;
    if (ts < this.#lastMasterMs - 1000 || ts > this.#lastMasterMs + MAX_FORWARD_JUMP_MS) {
      this.#closeSegment(this.#lastMasterMs + this.#masterDeltaMs);
      this.#resetPending = true;
      this.#prevKeyMs = Number.NaN;
      this.#lastMasterMs = Number.NaN;
    }
  }

  #noteMaster(ts: number): void {
    const d = ts - this.#lastMasterMs;
    if (d > 0 && d < 1000) this.#masterDeltaMs = d;
    this.#lastMasterMs = ts;
  }

  #cut(ts: number): void {
    // after a gap in the input, the segment ends where its content ends
    const contentEnd = this.#lastMasterMs + this.#masterDeltaMs;
    const end = ts - this.#segStartMs > this.#forceMs && contentEnd < ts ? contentEnd : ts;
    this.#closeSegment(end);
    this.#openSegment(ts);
  }

  #openSegment(ts: number): void {
    const state = this.#o.state;
    const tracks = this.#tc.tracks;
    if (!this.#mux) this.#mux = new TsMuxer(tracks);
    else if (!sameTracks(this.#mux.tracks, tracks)) {
      this.#mux.setTracks(tracks);
      state.markDiscontinuity();
    }
    if (this.#resetPending) {
      state.markDiscontinuity();
      this.#resetPending = false;
    }
    this.#segSeq = state.nextSeq(ts);
    let id = this.#fragmentId(ts);
    const listed = new Set(state.segments.map((s) => s.path));
    while (listed.has(state.names.segmentPath(id))) id++;
    this.#segPath = state.names.segmentPath(id);
    this.#segUri = state.names.segmentUri(id);
    this.#segStartMs = ts;
    if (Number.isNaN(this.#prevKeyMs)) this.#prevKeyMs = ts;
    this.#mux.beginSegment(Math.ceil(this.#lastSize * 1.2));
    this.#open = true;
  }

  /** hls_fragment_naming: sequential = media sequence number; timestamp = 90 kHz stream time (nginx-rtmp); system = wall clock ms. */
  #fragmentId(ts: number): number {
    switch (this.#o.settings.naming) {
      case "timestamp":
        return Math.max(0, Math.round(ts * 90));
      case "system":
        return Math.round((this.#o.wallClock ?? Date.now)());
      default:
        return this.#segSeq;
    }
  }

  #closeSegment(endMs: number): void {
    this.#flushAudio();
    const data = this.#mux!.finishSegment();
    this.#open = false;
    this.#lastSize = data.length;
    // never above what rounds to TARGETDURATION (RFC 8216 4.3.3.1), whatever the input did
    const maxMs = this.#o.state.targetDuration * 1000 + 499;
    const durationMs = Math.min(maxMs, Math.max(1, endMs - this.#segStartMs));
    this.#o.emit({ type: "segment", path: this.#segPath, data });
    this.#o.state.addSegment({ seq: this.#segSeq, path: this.#segPath, uri: this.#segUri, durationMs });
    this.counters.segments++;
  }
}
