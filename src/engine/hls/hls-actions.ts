/** What the HLS engine asks the server layer to do, in order, per stream. */
export type HlsAction =
  /** Write a complete segment file (it is listed only by a later "playlist" action). */
  | { type: "segment"; path: string; data: Buffer }
  /** Replace the playlist atomically (write `tmpPath`, rename over `path`). */
  | { type: "playlist"; path: string; tmpPath: string; data: Buffer }
  /** Forget `path` from memory; also delete the file when `file` (hls_cleanup on). */
  | { type: "delete"; path: string; file: boolean };

export type HlsActionSink = (action: HlsAction) => void;

export type HlsFragmentNaming = "sequential" | "timestamp" | "system";

export interface HlsSettings {
  fragmentMs: number;
  playlistLengthMs: number;
  maxFragmentMs: number;
  cleanup: boolean;
  continuous: boolean;
  naming: HlsFragmentNaming;
  endlist: boolean;
}
