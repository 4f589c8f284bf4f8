/**
 * HLS packaging for every published stream of an application with `hls on`:
 * one MediaSink per publish (given to the live engine), one playlist state
 * per stream name that lives across publishes, one file writer per stream,
 * and the in-memory overlay the HTTP server reads.
 */

import type { RtmpApplicationConfig } from "../../config/types.js";
import { type Clock, systemClock } from "../../engine/clock.js";
import type { HlsAction, HlsSettings } from "../../engine/hls/hls-actions.js";
import { hlsNames, isSafeStreamName } from "../../engine/hls/hls-names.js";
import { HlsPlaylistState } from "../../engine/hls/hls-playlist-state.js";
import { HlsSegmenter } from "../../engine/hls/hls-segmenter.js";
import type { MediaSink } from "../../engine/media-sink.js";
import type { Logger } from "../../util/logger.js";
import { HlsFileWriter } from "./hls-file-writer.js";
import { MemoryOverlay } from "./memory-overlay.js";
import { recoverPlaylist, staleSegments } from "./playlist-recovery.js";

export interface HlsServiceOptions {
  log: Logger;
  clock?: Clock;
  /** Wall clock in ms, for hls_fragment_naming system. */
  wallClock?: () => number;
}

export interface HlsStreamInfo {
  app: string;
  name: string;
  /** Absolute path of the playlist. */
  playlist: string;
  /** The playlist relative to hls_path ("NAME.m3u8" or "NAME/index.m3u8"). */
  relativePlaylist: string;
  hlsPath: string;
  publishing: boolean;
  mediaSequence: number;
  segments: number;
}

interface StreamEntry {
  app: string;
  name: string;
  hlsPath: string;
  relativePlaylist: string;
  state: HlsPlaylistState;
  writer: HlsFileWriter;
  segmenter: HlsSegmenter | null;
}

export function settingsOf(app: RtmpApplicationConfig): HlsSettings {
  return {
    fragmentMs: app.hlsFragment,
    playlistLengthMs: app.hlsPlaylistLength,
    maxFragmentMs: app.hlsMaxFragment,
    cleanup: app.hlsCleanup,
    continuous: app.hlsContinuous,
    naming: app.hlsFragmentNaming,
    endlist: app.hlsEndlist,
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class HlsService {
  readonly overlay = new MemoryOverlay();
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #wallClock: () => number;
  readonly #streams = new Map<string, StreamEntry>();

  constructor(o: HlsServiceOptions) {
    this.#log = o.log;
    this.#clock = o.clock ?? systemClock;
    this.#wallClock = o.wallClock ?? Date.now;
  }

  /** The sink packaging `name` of `app`, or null when the app has no HLS (or the name is unsafe). */
  sinkFor(app: RtmpApplicationConfig, name: string): MediaSink | null {
    if (!app.hls || !app.hlsPath) return null;
    if (!isSafeStreamName(name)) {
      this.#log.error(`hls: bad stream name '${name}' in application '${app.name}', not packaged`);
      return null;
    }
    let active: HlsSegmenter | null = null;
    let entry: StreamEntry | null = null;
    return {
      start: () => {
        entry = this.#entry(app, name);
        if (entry.segmenter) entry.segmenter.stop(); // a previous publisher never said stop
        entry.state.beginPublish();
        const e = entry;
        active = new HlsSegmenter({
          state: e.state,
          settings: settingsOf(app),
          emit: (a) => e.writer.perform(a),
          wallClock: this.#wallClock,
          warn: (m) => this.#log.warn(`${m} (stream '${app.name}/${name}')`),
        });
        e.segmenter = active;
      },
      message: (kind, timestamp, payload) => {
        if (!active) return;
        if (kind === "video") active.video(timestamp, payload);
        else if (kind === "audio") active.audio(timestamp, payload);
      },
      stop: () => {
        if (!active || !entry) return;
        if (entry.segmenter === active) {
          active.stop();
          entry.segmenter = null;
        }
        active = null;
      },
    };
  }

  #entry(app: RtmpApplicationConfig, name: string): StreamEntry {
    const names = hlsNames(app.hlsPath!, name, app.hlsNested);
    const existing = this.#streams.get(names.playlist);
    if (existing) return existing;
    const settings = settingsOf(app);
    const writer = new HlsFileWriter({ overlay: this.overlay, log: this.#log, dir: names.dir });
    const recovered = settings.continuous ? recoverPlaylist(names) : null;
    if (recovered) {
      this.#log.info(
        `hls: '${app.name}/${name}' continues from ${names.playlist}: media sequence ${recovered.mediaSequence + recovered.segments.length}`,
      );
    }
    const state = new HlsPlaylistState({
      names,
      settings,
      clock: this.#clock,
      emit: (a: HlsAction) => writer.perform(a),
      recovered,
    });
    this.#sweepStale(state, settings, writer, app.hlsNested ? "" : `${name}-`);
    const base = app.hlsPath!.replace(/\/+$/, "");
    const entry: StreamEntry = {
      app: app.name,
      name,
      hlsPath: base,
      relativePlaylist: names.playlist.slice(base.length + 1),
      state,
      writer,
      segmenter: null,
    };
    this.#streams.set(names.playlist, entry);
    return entry;
  }

  /** Segment files a previous run left unlisted go after the usual grace period (hls_cleanup on). */
  #sweepStale(state: HlsPlaylistState, s: HlsSettings, writer: HlsFileWriter, prefix: string): void {
    if (!s.cleanup) return;
    const listed = new Set(state.segments.map((x) => x.path ?? ""));
    const re = new RegExp(`^${escapeRe(prefix)}\\d+\\.ts$`);
    const stale = staleSegments(state.names, listed, re);
    if (stale.length === 0) return;
    this.#clock.setTimeout(() => {
      for (const path of stale) writer.perform({ type: "delete", path, file: true });
    }, s.playlistLengthMs);
  }

  streams(): HlsStreamInfo[] {
    return [...this.#streams.values()].map((e) => ({
      app: e.app,
      name: e.name,
      playlist: e.state.names.playlist,
      relativePlaylist: e.relativePlaylist,
      hlsPath: e.hlsPath,
      publishing: e.state.publishing,
      mediaSequence: e.state.mediaSequence,
      segments: e.state.segments.length,
    }));
  }

  /** Closes every open segment, writes ENDLIST (hls_endlist on), waits for the files. */
  async quit(): Promise<void> {
    for (const e of this.#streams.values()) {
      if (e.segmenter) {
        e.segmenter.stop();
        e.segmenter = null;
      }
    }
    await Promise.all([...this.#streams.values()].map((e) => e.writer.idle()));
  }

  /** Resolves when every stream's queued file operations are done (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#streams.values()].map((e) => e.writer.idle()));
  }
}
