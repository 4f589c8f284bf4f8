/**
 * The composition root of the streaming side: builds the services a
 * configuration asks for (RTMP, HTTP, HLS...), starts them, and carries the
 * lifecycle operations of nginx's master process to each of them:
 *
 *   start  → every service starts (a failure stops those already started)
 *   reload → the new configuration was read and checked first; each service
 *            applies it keeping its listening sockets
 *   quit   → graceful: services finish their current work, bounded by a timeout
 *   stop   → immediate
 *   reopen → log files are opened again (logrotate)
 *
 * The pid file and signals belong to the caller (cli/).
 */
import type { NginxConfig, RtmpApplicationConfig } from "../config/types.js";
import type { MediaSink } from "../engine/media-sink.js";
import { HlsService } from "./hls/hls-service.js";
import { HttpServer, type StreamSummary } from "./http/http-server.js";
import { AccessLog } from "./log/access-log.js";
import type { ErrorLog, ErrorLogTarget } from "./log/error-log.js";
import { ensureDataFolders, toStartError } from "./process/start-error.js";
import { RecordService } from "./record/record-service.js";
import { RtmpServer, type StreamStats } from "./rtmp/rtmp-server.js";

/** One long-running part of the server, driven by the composition root. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  reload(config: NginxConfig): Promise<void>;
  quit(timeoutMs: number): Promise<void>;
  /** Immediate; may return a promise for work that must still finish (files being renamed). */
  stop(): void | Promise<void>;
}

export interface StreamingServerOptions {
  config: NginxConfig;
  log: ErrorLog;
  /** Reads and checks the configuration again for a reload; throws ConfigError when invalid. */
  loadConfig: () => NginxConfig;
  /** Error log targets forced by the command line (-e), replacing the configuration's. */
  errorLogOverride?: ErrorLogTarget[] | null;
}

/** Default bound for a graceful quit (`onair -s quit`, SIGQUIT), in ms. */
export const DEFAULT_QUIT_TIMEOUT_MS = 10_000;

/** How long an immediate stop waits for file work already in flight, in ms. */
export const STOP_DRAIN_MS = 1_000;

export class StreamingServer {
  #config: NginxConfig;
  readonly #log: ErrorLog;
  readonly #loadConfig: () => NginxConfig;
  readonly #errorLogOverride: ErrorLogTarget[] | null;
  /** The access log file in use (null: `access_log off` or no http block). */
  #accessLog: AccessLog | null = null;
  /** What the HTTP server writes to: follows #accessLog across reloads. */
  readonly #accessSink = { write: (line: string) => this.#accessLog?.write(line) };
  #services: Service[] = [];
  #reloading: Promise<boolean> | null = null;

  constructor(opts: StreamingServerOptions) {
    this.#config = opts.config;
    this.#log = opts.log;
    this.#loadConfig = opts.loadConfig;
    this.#errorLogOverride = opts.errorLogOverride ?? null;
  }

  get config(): NginxConfig {
    return this.#config;
  }

  /** Error log targets a configuration asks for (or the -e override). */
  errorLogTargets(config: NginxConfig): ErrorLogTarget[] {
    return this.#errorLogOverride ?? config.errorLog.map((e) => ({ path: e.path, level: e.level }));
  }

  /** Builds and starts every service; throws StartError with one nginx-worded line. */
  async start(): Promise<void> {
    try {
      ensureDataFolders(this.#config);
      this.#services = this.#buildServices(this.#config);
    } catch (err) {
      await this.#closeAccessLogs();
      throw toStartError(err);
    }
    const started: Service[] = [];
    for (const s of this.#services) {
      try {
        await s.start();
        started.push(s);
      } catch (err) {
        for (const done of started.reverse()) safeStop(done, this.#log);
        await this.#closeAccessLogs();
        throw toStartError(err);
      }
    }
  }

  /**
   * The services this configuration needs. Adding a service is one line here
   * (an object with name/start/reload/quit/stop, or `named(...)` around one).
   */
  #buildServices(config: NginxConfig): Service[] {
    const log = this.#log;
    const path = config.http?.accessLog?.path;
    this.#accessLog = path ? new AccessLog(path, { log }) : null;
    // a stable sink: the file behind it may change on reload (or be off)
    const accessLog = this.#accessSink;
    const hls = new HlsService({ log });
    const record = new RecordService({ log });
    const sinks = (app: RtmpApplicationConfig, name: string): MediaSink[] =>
      [hls.sinkFor(app, name), record.sinkFor(app, name)].filter((s): s is MediaSink => s !== null);
    const rtmp = new RtmpServer({ config, log, sinks });
    const streams = () => streamSummaries(this.#config, rtmp.stats());
    // Order: quit ends the RTMP sessions first (their HLS playlists get
    // EXT-X-ENDLIST), then HLS flushes its files, then HTTP stops serving.
    return [
      named("rtmp", rtmp),
      {
        name: "hls",
        start: async () => {},
        reload: async () => {}, // HLS settings are read per publish: they apply from the next stream
        quit: () => hls.quit(),
        stop: () => hls.idle(),
      },
      {
        name: "record",
        start: async () => {},
        reload: async () => {}, // record settings are read per publish, like HLS
        // closing a recording only patches its metadata and closes the file: quick for stop too
        quit: () => record.quit(),
        stop: () => record.quit(),
      },
      named("http", new HttpServer({ config, log, accessLog, overlay: hls.overlay, streams })),
    ];
  }

  /**
   * Reads the configuration again and applies it. An invalid configuration is
   * logged (with file:line) and the running one kept; returns whether applied.
   * Reloads are serialised: one arriving during another waits for it.
   */
  async reload(): Promise<boolean> {
    const previous = this.#reloading ?? Promise.resolve(true);
    const next = previous.then(() => this.#reloadOnce());
    this.#reloading = next;
    try {
      return await next;
    } finally {
      if (this.#reloading === next) this.#reloading = null;
    }
  }

  async #reloadOnce(): Promise<boolean> {
    let config: NginxConfig;
    let accessLog: AccessLog | null | undefined;
    try {
      config = this.#loadConfig();
      ensureDataFolders(config);
      accessLog = this.#nextAccessLog(config);
      this.#log.configure(this.errorLogTargets(config));
    } catch (err) {
      if (accessLog) void accessLog.close();
      this.#log.emerg(err instanceof Error ? err.message : String(err));
      this.#log.notice("reload failed, the running configuration is kept");
      return false;
    }
    if (accessLog !== undefined) {
      const old = this.#accessLog;
      this.#accessLog = accessLog;
      if (old) void old.close();
    }
    this.#config = config;
    for (const s of this.#services) {
      try {
        await s.reload(config);
      } catch (err) {
        this.#log.alert(`${s.name}: reload failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.#log.notice("configuration reloaded");
    return true;
  }

  /**
   * The access log a new configuration needs: undefined when the current one
   * stays, else a newly opened one (or null for off). Throws LogOpenError.
   */
  #nextAccessLog(config: NginxConfig): AccessLog | null | undefined {
    const path = config.http?.accessLog?.path ?? null;
    if (path === (this.#accessLog?.path ?? null)) return undefined;
    return path === null ? null : new AccessLog(path, { log: this.#log });
  }

  /** Reopens the access log (the error log is the caller's, reopened beside). */
  reopen(): void {
    this.#accessLog?.reopen();
  }

  /**
   * Graceful: services quit one after another in list order, all within
   * `timeoutMs`; when time runs out the remaining ones are stopped.
   */
  async quit(timeoutMs: number = DEFAULT_QUIT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const inOrder = (async () => {
      for (const s of this.#services) {
        try {
          await s.quit(Math.max(0, deadline - Date.now()));
        } catch (err) {
          this.#log.alert(`${s.name}: quit failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    const outcome = await Promise.race([inOrder, timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.#log.warn(`graceful shutdown did not finish in ${timeoutMs} ms, closing what remains`);
      await this.stop();
      return;
    }
    await this.#closeAccessLogs();
  }

  /**
   * Immediate: every service stops now. Work a stop hands back (file renames
   * in flight) gets up to STOP_DRAIN_MS, so files on disk stay consistent.
   */
  async stop(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const s of this.#services) {
      const p = safeStop(s, this.#log);
      if (p) pending.push(p);
    }
    this.#services = [];
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((r) => {
        timer = setTimeout(r, STOP_DRAIN_MS);
      });
      await Promise.race([Promise.allSettled(pending), bound]);
      clearTimeout(timer);
    }
    await this.#closeAccessLogs();
  }

  async #closeAccessLogs(): Promise<void> {
    const log = this.#accessLog;
    this.#accessLog = null;
    await log?.close();
  }
}

/** Gives a server object the Service shape (its name for log lines). */
function named(name: string, s: Omit<Service, "name">): Service {
  return {
    name,
    start: () => s.start(),
    reload: (c) => s.reload(c),
    quit: (ms) => s.quit(ms),
    stop: () => s.stop(),
  };
}

function safeStop(s: Service, log: ErrorLog): Promise<void> | undefined {
  const report = (err: unknown) =>
    log.alert(`${s.name}: stop failed: ${err instanceof Error ? err.message : String(err)}`);
  try {
    const r = s.stop();
    return r ? r.catch(report) : undefined;
  } catch (err) {
    report(err);
    return undefined;
  }
}

/** The live streams as the default page lists them (publishing ones only). */
export function streamSummaries(config: NginxConfig, stats: StreamStats[]): StreamSummary[] {
  const apps = new Map(
    (config.rtmp?.servers ?? []).flatMap((srv) => srv.applications.map((a) => [a.name, a])),
  );
  return stats
    .filter((s) => s.publishing)
    .map((s) => {
      const app = apps.get(s.app);
      const size = s.width && s.height ? ` ${s.width}x${s.height}` : "";
      return {
        app: s.app,
        name: s.name,
        hls: app?.hls && app.hlsPath ? hlsPlaylistUri(config, app.hlsPath, s.name, app.hlsNested) : null,
        since: Date.now() - s.uptimeMs,
        video: s.videoCodec ? `${s.videoCodec}${size}` : undefined,
        audio: s.audioCodec ?? undefined,
      };
    });
}

/** The URI under which the HTTP block serves a stream's playlist (longest matching location), or null. */
export function hlsPlaylistUri(
  config: NginxConfig,
  hlsPath: string,
  name: string,
  nested: boolean,
): string | null {
  const dir = hlsPath.replace(/\/+$/, "");
  let best: string | null = null;
  let bestLen = -1;
  for (const srv of config.http?.servers ?? []) {
    for (const loc of srv.locations) {
      let uri: string | null = null;
      if (loc.alias !== null) {
        const alias = loc.alias.replace(/\/+$/, "");
        if (dir === alias || dir.startsWith(`${alias}/`))
          uri = loc.path.replace(/\/+$/, "") + dir.slice(alias.length);
      } else {
        const root = loc.root.replace(/\/+$/, "");
        if (dir.startsWith(`${root}/`)) uri = dir.slice(root.length);
      }
      if (
        uri === null ||
        loc.modifier === "=" ||
        !`${uri}/`.startsWith(loc.path) ||
        loc.path.length <= bestLen
      )
        continue;
      best = uri;
      bestLen = loc.path.length;
    }
  }
  if (best === null) return null;
  return `${best}/${nested ? `${name}/index.m3u8` : `${name}.m3u8`}`;
}
