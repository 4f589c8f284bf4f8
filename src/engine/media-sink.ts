/**
 * What the live engine feeds to in-process consumers of a published stream
 * (HLS packager, recorder). Payloads are RTMP audio/video/data message bodies,
 * i.e. FLV tag bodies; they are shared, never to be mutated.
 */
export type MediaKind = "audio" | "video" | "data";

export interface MediaSink {
  /** The publisher started; `app`/`name` identify the stream. */
  start(stream: { app: string; name: string }): void;
  /** One message; `timestamp` in ms, monotonic per stream (32-bit wrap already unwrapped). */
  message(kind: MediaKind, timestamp: number, payload: Buffer): void;
  /** The publisher stopped (or the server is quitting). */
  stop(): void;
}

/**
 * Read access to files that a packager keeps in memory, so the HTTP server can
 * serve live playlists and segments without waiting on the disk. Keys are
 * absolute file paths as they are also written on disk.
 */
export interface FileOverlay {
  get(absPath: string): { data: Buffer; mtimeMs: number; etag: string } | undefined;
}
