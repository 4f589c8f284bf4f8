/** What the recorder core asks the server layer to do for one stream, in order. */
import type { RecordHead } from "./record-metadata.js";

export type RecordCloseReason = "stop" | "interval" | "max-size" | "max-frames";

export type RecordAction =
  /** Start a file (truncate it, or continue it when `append`); the first data action follows at once. */
  | { type: "open"; path: string; append: boolean }
  /** The FLV header and onMetaData tag (skipped when appending to a non-empty file). */
  | { type: "head"; head: RecordHead }
  /** One FLV tag; `timestamp` already rebased to the file (ms, starts at 0). */
  | { type: "tag"; tagType: number; timestamp: number; body: Buffer }
  /**
   * Finish the file: patch duration (ms) and filesize into the metadata, the
   * audio/video flags into the header, close it.
   */
  | { type: "close"; durationMs: number; hasAudio: boolean; hasVideo: boolean; reason: RecordCloseReason };

export type RecordActionSink = (action: RecordAction) => void;

/** An application's record settings, from its config (see settingsFromConfig in record-settings.ts). */
export interface RecordSettings {
  audio: boolean;
  video: boolean;
  /** Video keyframes only (with `video` false). */
  keyframes: boolean;
  /** `record manual`: never starts by itself. */
  manual: boolean;
  dir: string;
  suffix: string;
  unique: boolean;
  append: boolean;
  maxSize: number | null;
  maxFrames: number | null;
  intervalMs: number | null;
}
