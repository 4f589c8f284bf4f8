/**
 * The recorder of one published stream (nginx-rtmp's ngx_rtmp_record_node_av
 * logic, without I/O): decides which messages go to which file, when a file
 * starts and ends (record_interval, record_max_size, record_max_frames),
 * rebases timestamps so each file starts at 0, and writes the codec sequence
 * headers at the start of every file so each one decodes alone. It emits
 * RecordActions; the server layer performs them.
 */
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO } from "../../protocol/flv/flv-file.js";
import type { Clock } from "../clock.js";
import { audioInfo, videoInfo } from "../live/frame-info.js";
import type { MediaKind } from "../media-sink.js";
import type { RecordActionSink, RecordCloseReason, RecordSettings } from "./record-actions.js";
import { MAX_METADATA_BYTES, recordHead } from "./record-metadata.js";
import { recordFilePath } from "./record-path.js";

export interface RecorderOptions {
  settings: RecordSettings;
  /** The published stream name. */
  name: string;
  /** Monotonic ms, for record_interval. */
  clock: Clock;
  /** Wall time in ms since the epoch, for file names. */
  wallClock: () => number;
  emit: RecordActionSink;
}

interface FileState {
  path: string;
  openedAt: number;
  initialized: boolean;
  epoch: number;
  bytes: number;
  frames: number;
  hasAudio: boolean;
  hasVideo: boolean;
  videoKeySent: boolean;
  videoHeaderSent: boolean;
  audioHeaderSent: boolean;
  maxPts: number;
  lastVideoTs: number;
  lastAudioTs: number;
  videoStep: number;
  audioStep: number;
}

/** Bytes a tag takes in the file: 11-byte header, body, 4-byte back-pointer. */
const TAG_OVERHEAD = 15;
/** FLV DataSize is 24 bits. */
const MAX_TAG_BODY = 0xffffff;
const ON_META_DATA = Buffer.from("\x02\x00\x0aonMetaData", "latin1");

function newFile(path: string, openedAt: number): FileState {
  return {
    path,
    openedAt,
    initialized: false,
    epoch: 0,
    bytes: 0,
    frames: 0,
    hasAudio: false,
    hasVideo: false,
    videoKeySent: false,
    videoHeaderSent: false,
    audioHeaderSent: false,
    maxPts: 0,
    lastVideoTs: -1,
    lastAudioTs: -1,
    videoStep: 0,
    audioStep: 0,
  };
}

/** Video codecs that cannot decode without their sequence header (AVC, HEVC, any Enhanced RTMP codec). */
function videoNeedsHeader(p: Buffer): boolean {
  const b0 = p[0] ?? 0;
  return (b0 & 0x80) !== 0 || (b0 & 0x0f) === 7 || (b0 & 0x0f) === 12;
}

/** AAC (10) and Enhanced RTMP audio (9) need their sequence header. */
function audioNeedsHeader(p: Buffer): boolean {
  const f = (p[0] ?? 0) >> 4;
  return f === 10 || f === 9;
}

/** Composition time offset of a legacy AVC/HEVC coded frame (0 otherwise). */
function compositionOffset(p: Buffer): number {
  const b0 = p[0] ?? 0;
  if (b0 & 0x80 || p.length < 5 || p[1] !== 1) return 0;
  if ((b0 & 0x0f) !== 7 && (b0 & 0x0f) !== 12) return 0;
  const v = (p[2]! << 16) | (p[3]! << 8) | p[4]!;
  return v & 0x800000 ? v - 0x1000000 : v;
}

export class Recorder {
  readonly #o: RecorderOptions;
  readonly #s: RecordSettings;
  #file: FileState | null = null;
  /** Path of the last file started (current or closed): a new file never reuses it. */
  #lastPath: string | null = null;
  #lastOpenAt = 0;
  #metadata: Buffer | null = null;
  #videoHeader: Buffer | null = null;
  #audioHeader: Buffer | null = null;
  #active = false;
  #failed = false;

  constructor(o: RecorderOptions) {
    this.#o = o;
    this.#s = o.settings;
  }

  /** True while a file is started for the stream. */
  get recording(): boolean {
    return this.#file !== null;
  }

  get failed(): boolean {
    return this.#failed;
  }

  start(): void {
    if (this.#file) this.#close("stop"); // a previous publish that never said stop
    this.#active = true;
    this.#failed = false;
    if (!this.#s.manual) this.#open(this.#path());
  }

  stop(): void {
    if (this.#file) this.#close("stop");
    this.#active = false;
  }

  /** The file could not be written: stop recording this publish (the server already logged why). */
  fail(): void {
    this.#failed = true;
    this.#file = null;
  }

  message(kind: MediaKind, timestamp: number, payload: Buffer): void {
    if (!this.#active || this.#failed || this.#s.manual) return;
    if (payload.length === 0 || payload.length > MAX_TAG_BODY) return;
    if (kind === "data") {
      if (payload.length <= MAX_METADATA_BYTES && payload.subarray(0, 13).equals(ON_META_DATA)) {
        this.#metadata = payload;
      }
      return;
    }
    const video = kind === "video";
    const info = video ? videoInfo(payload) : audioInfo(payload);
    if (info.sequenceHeader) {
      this.#sequenceHeader(video, payload);
      return;
    }
    if (video ? info.keyframe : !this.#s.video) this.#maybeNewFile();
    const f = this.#file;
    if (!f || !this.#wanted(f, video, info.keyframe, payload)) return;
    if (!f.initialized) this.#initialize(f, timestamp);
    const ts = Math.max(0, timestamp - f.epoch);
    if (video) this.#writeVideo(f, ts, payload);
    else this.#writeAudio(f, ts, payload);
    f.frames++;
    if (this.#file !== f) return; // the writer failed meanwhile
    if (this.#s.maxSize !== null && f.bytes >= this.#s.maxSize) this.#close("max-size");
    else if (this.#s.maxFrames !== null && f.frames >= this.#s.maxFrames) this.#close("max-frames");
  }

  #sequenceHeader(video: boolean, payload: Buffer): void {
    if (video) this.#videoHeader = payload;
    else this.#audioHeader = payload;
    // a new header (codec change) is written again before the next frame of its track
    if (this.#file && video) this.#file.videoHeaderSent = false;
    if (this.#file && !video) this.#file.audioHeaderSent = false;
  }

  /** Whether this frame goes to the file (record mode, wait for headers and the first keyframe). */
  #wanted(f: FileState, video: boolean, keyframe: boolean, payload: Buffer): boolean {
    const s = this.#s;
    if (!video) return s.audio && (!audioNeedsHeader(payload) || this.#audioHeader !== null);
    if (!s.video && !(s.keyframes && keyframe)) return false;
    if (videoNeedsHeader(payload) && this.#videoHeader === null) return false;
    if (!f.videoKeySent) {
      if (!keyframe) return false;
      f.videoKeySent = true;
    }
    return true;
  }

  /** At a frame a file may start with: rotate (record_interval) or reopen after a size/frame limit. */
  #maybeNewFile(): void {
    const f = this.#file;
    if (this.#s.intervalMs !== null) {
      if (this.#o.clock.now() <= this.#lastOpenAt + this.#s.intervalMs) return;
    } else if (f) {
      return;
    }
    const path = this.#path();
    if (path === this.#lastPath) return; // never overwrite the file just written (nginx-rtmp would)
    if (f) this.#close("interval");
    this.#open(path);
  }

  #path(): string {
    const s = this.#s;
    return recordFilePath(
      { dir: s.dir, suffix: s.suffix, unique: s.unique },
      this.#o.name,
      this.#o.wallClock(),
    );
  }

  #open(path: string): void {
    this.#lastOpenAt = this.#o.clock.now();
    this.#lastPath = path;
    this.#file = newFile(path, this.#lastOpenAt);
  }

  #initialize(f: FileState, timestamp: number): void {
    f.initialized = true;
    f.epoch = timestamp;
    this.#o.emit({ type: "open", path: f.path, append: this.#s.append });
    const head = recordHead(this.#metadata, {
      audio: this.#s.audio,
      video: this.#s.video || this.#s.keyframes,
    });
    this.#o.emit({ type: "head", head });
    f.bytes += head.bytes.length;
  }

  #writeVideo(f: FileState, ts: number, payload: Buffer): void {
    if (!f.videoHeaderSent && this.#videoHeader) {
      this.#tag(f, FLV_TAG_VIDEO, ts, this.#videoHeader);
      f.videoHeaderSent = true;
    }
    this.#tag(f, FLV_TAG_VIDEO, ts, payload);
    f.hasVideo = true;
    f.maxPts = Math.max(f.maxPts, ts + compositionOffset(payload));
    if (f.lastVideoTs >= 0 && ts > f.lastVideoTs) f.videoStep = ts - f.lastVideoTs;
    f.lastVideoTs = ts;
  }

  #writeAudio(f: FileState, ts: number, payload: Buffer): void {
    if (!f.audioHeaderSent && this.#audioHeader) {
      this.#tag(f, FLV_TAG_AUDIO, ts, this.#audioHeader);
      f.audioHeaderSent = true;
    }
    this.#tag(f, FLV_TAG_AUDIO, ts, payload);
    f.hasAudio = true;
    f.maxPts = Math.max(f.maxPts, ts);
    if (f.lastAudioTs >= 0 && ts > f.lastAudioTs) f.audioStep = ts - f.lastAudioTs;
    f.lastAudioTs = ts;
  }

  #tag(f: FileState, tagType: number, timestamp: number, body: Buffer): void {
    this.#o.emit({ type: "tag", tagType, timestamp, body });
    f.bytes += TAG_OVERHEAD + body.length;
  }

  #close(reason: RecordCloseReason): void {
    const f = this.#file;
    this.#file = null;
    if (!f?.initialized) return;
    const step = f.hasVideo ? f.videoStep : f.audioStep;
    this.#o.emit({
      type: "close",
      durationMs: f.maxPts + step,
      hasAudio: f.hasAudio,
      hasVideo: f.hasVideo,
      reason,
    });
  }
}
