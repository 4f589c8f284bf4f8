/** Per-stream figures the engine keeps for status pages, metrics and tests. */
export interface StreamStats {
  app: string;
  name: string;
  publishing: boolean;
  /** Peer address of the publisher, null while nobody publishes. */
  publisherAddress: string | null;
  videoCodec: string | null;
  audioCodec: string | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
  /** bit/s over the last second. */
  bitrateIn: number;
  bitrateOut: number;
  bytesIn: number;
  bytesOut: number;
  players: number;
  /** ms since the current publisher started (0 when idle). */
  uptimeMs: number;
  /** Bytes held by the GOP cache. */
  gopCacheBytes: number;
  /** Per player: queued bytes now, highest seen, messages dropped, skips to a keyframe. */
  playerQueues: {
    id: number;
    address: string;
    pending: number;
    maxPending: number;
    dropped: number;
    skips: number;
  }[];
}
