/**
 * Recording (nginx-rtmp's record module) for every published stream of an
 * application with `record` on: one MediaSink per publish, driving a pure
 * Recorder (src/engine/record/) whose actions become RecordFiles on disk.
 * The sink never throws into the live engine and never waits on the disk.
 */
import type { RtmpApplicationConfig } from "../../config/types.js";
import { type Clock, systemClock } from "../../engine/clock.js";
import type { MediaSink } from "../../engine/media-sink.js";
import type { RecordAction, RecordSettings } from "../../engine/record/record-actions.js";
import { Recorder } from "../../engine/record/recorder.js";
import type { Logger } from "../../util/logger.js";
import { RecordFile } from "./record-file.js";

export interface RecordServiceOptions {
  log: Logger;
  /** Monotonic clock for record_interval (default: the system clock). */
  clock?: Clock;
  /** Wall time in ms since the epoch, for file names (default Date.now). */
  wallClock?: () => number;
  /** Unwritten bytes per file beyond which that recording is dropped (default 32 MiB). */
  maxQueueBytes?: number;
}

const DEFAULT_MAX_QUEUE = 32 * 1024 * 1024;

export function recordSettings(app: RtmpApplicationConfig): RecordSettings | null {
  if (app.record.length === 0 || app.recordPath === null) return null;
  const has = (m: string) => app.record.includes(m as never);
  return {
    audio: has("all") || has("audio"),
    video: has("all") || has("video"),
    keyframes: has("keyframes"),
    manual: has("manual"),
    dir: app.recordPath,
    suffix: app.recordSuffix,
    unique: app.recordUnique,
    append: app.recordAppend,
    maxSize: app.recordMaxSize || null,
    maxFrames: app.recordMaxFrames || null,
    intervalMs: app.recordInterval,
  };
}

/** One publish being recorded: its recorder and the file it writes now. */
class Recording {
  readonly recorder: Recorder;
  #file: RecordFile | null = null;

  constructor(
    readonly label: string,
    settings: RecordSettings,
    name: string,
    private readonly svc: {
      opts: RecordServiceOptions;
      clock: Clock;
      track: (f: RecordFile) => void;
      previous: (path: string) => Promise<void> | undefined;
    },
  ) {
    this.recorder = new Recorder({
      settings,
      name,
      clock: svc.clock,
      wallClock: svc.opts.wallClock ?? Date.now,
      emit: (a) => this.#perform(a),
    });
  }

  #perform(a: RecordAction): void {
    switch (a.type) {
      case "open": {
        const file: RecordFile = new RecordFile({
          path: a.path,
          append: a.append,
          log: this.svc.opts.log,
          label: this.label,
          maxQueueBytes: this.svc.opts.maxQueueBytes ?? DEFAULT_MAX_QUEUE,
          after: this.svc.previous(a.path),
          onFail: () => {
            if (this.#file === file) {
              this.#file = null;
              this.recorder.fail();
            }
          },
        });
        this.#file = file;
        this.svc.track(file);
        this.svc.opts.log.info(`record: '${this.label}' started ${a.path}`);
        break;
      }
      case "head":
        this.#file?.head(a.head);
        break;
      case "tag":
        this.#file?.tag(a.tagType, a.timestamp, a.body);
        break;
      case "close":
        this.#file?.close(a);
        this.#file = null;
        break;
    }
  }
}

export class RecordService {
  readonly #opts: RecordServiceOptions;
  readonly #clock: Clock;
  readonly #active = new Set<Recording>();
  readonly #files = new Set<RecordFile>();
  /** The last writer of each path still open or closing. */
  readonly #byPath = new Map<string, RecordFile>();
  readonly #warned = new Set<string>();

  constructor(opts: RecordServiceOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
  }

  /** Files being written or closed right now. */
  get openFiles(): number {
    return this.#files.size;
  }

  /** The sink recording `name` of `app`, or null when the app does not record. */
  sinkFor(app: RtmpApplicationConfig, name: string): MediaSink | null {
    if (app.record.length === 0) return null;
    const settings = recordSettings(app);
    if (!settings) {
      this.#warnOnce(
        app.name,
        `record: application '${app.name}' has record on but no record_path: not recording`,
      );
      return null;
    }
    if (settings.manual) {
      this.#warnOnce(
        app.name,
        `record: application '${app.name}' is 'record manual': nothing starts by itself`,
      );
      return null;
    }
    const svc = {
      opts: this.#opts,
      clock: this.#clock,
      track: (f: RecordFile) => this.#track(f),
      previous: (path: string) => this.#byPath.get(path)?.done,
    };
    let rec: Recording | null = null;
    const guard = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        // a bug here must never reach the live engine: stop this recording, keep the stream
        this.#opts.log.error(`record: '${app.name}/${name}' ${what} failed: ${String(e)}; recording stopped`);
        rec?.recorder.fail();
      }
    };
    return {
      start: () =>
        guard("start", () => {
          rec = new Recording(`${app.name}/${name}`, settings, name, svc);
          this.#active.add(rec);
          rec.recorder.start();
        }),
      message: (kind, timestamp, payload) => {
        if (rec) guard("message", () => rec!.recorder.message(kind, timestamp, payload));
      },
      stop: () =>
        guard("stop", () => {
          if (!rec) return;
          rec.recorder.stop();
          this.#active.delete(rec);
          rec = null;
        }),
    };
  }

  /** Closes every recording properly (metadata patched); resolves when all files are closed. */
  async quit(): Promise<void> {
    for (const r of this.#active) r.recorder.stop();
    this.#active.clear();
    await Promise.all([...this.#files].map((f) => f.done));
  }

  #track(f: RecordFile): void {
    this.#files.add(f);
    this.#byPath.set(f.path, f);
    void f.done.then(() => {
      this.#files.delete(f);
      if (this.#byPath.get(f.path) === f) this.#byPath.delete(f.path);
    });
  }

  #warnOnce(key: string, msg: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#opts.log.warn(msg);
  }
}
