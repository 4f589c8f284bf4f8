/**
 * Prints an NginxConfig as an nginx-style file that parses back to the same
 * config (every value explicit, paths absolute, types written out).
 */
import { formatListen, formatSize, formatTime } from "./nginx-values.js";
import type {
  HttpConfig,
  LocationConfig,
  NginxConfig,
  RtmpApplicationConfig,
  RtmpServerConfig,
} from "./types.js";

const SAFE_WORD = /^[A-Za-z0-9_\-./:*@+=,%~^!?&<>()[\]|]+$/;

/** A word as nginx reads it back: bare when safe, else double-quoted with escapes. */
export function quoteNginx(s: string): string {
  if (SAFE_WORD.test(s)) return s;
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

class Out {
  readonly lines: string[] = [];
  private depth = 0;

  line(...words: (string | number)[]): void {
    this.lines.push(`${"    ".repeat(this.depth)}${words.map((w) => quoteNginx(String(w))).join(" ")};`);
  }

  block(head: (string | number)[], body: () => void): void {
    this.lines.push(
      `${"    ".repeat(this.depth)}${[...head.map((w) => quoteNginx(String(w))), "{"].join(" ")}`,
    );
    this.depth++;
    body();
    this.depth--;
    this.lines.push(`${"    ".repeat(this.depth)}}`);
  }
}

const flag = (b: boolean): string => (b ? "on" : "off");

export function printNginxConfig(cfg: NginxConfig): string {
  const o = new Out();
  o.line("worker_processes", cfg.workerProcesses);
  for (const l of cfg.errorLog) o.line("error_log", l.path, l.level);
  o.line("pid", cfg.pid);
  o.line("daemon", flag(cfg.daemon));
  o.line("master_process", flag(cfg.masterProcess));
  o.block(["events"], () => o.line("worker_connections", cfg.workerConnections));
  if (cfg.rtmp) {
    const rtmp = cfg.rtmp;
    o.block(["rtmp"], () => {
      o.line("flush_interval", formatTime(rtmp.flushInterval));
      for (const s of rtmp.servers) o.block(["server"], () => printRtmpServer(o, s));
    });
  }
  if (cfg.http) {
    const http = cfg.http;
    o.block(["http"], () => printHttp(o, http));
  }
  return `${o.lines.join("\n")}\n`;
}

function printRtmpServer(o: Out, s: RtmpServerConfig): void {
  for (const l of s.listen) o.line("listen", formatListen(l));
  o.line("chunk_size", s.chunkSize);
  o.line("ping", formatTime(s.ping));
  o.line("ping_timeout", formatTime(s.pingTimeout));
  o.line("timeout", formatTime(s.timeout));
  if (s.maxConnections !== null) o.line("max_connections", s.maxConnections);
  o.line("max_message", formatSize(s.maxMessage));
  for (const a of s.applications) o.block(["application", a.name], () => printApplication(o, a));
}

function printApplication(o: Out, a: RtmpApplicationConfig): void {
  o.line("live", flag(a.live));
  o.line("record", ...(a.record.length ? a.record : ["off"]));
  if (a.recordPath !== null) o.line("record_path", a.recordPath);
  o.line("record_suffix", a.recordSuffix);
  o.line("record_unique", flag(a.recordUnique));
  o.line("record_append", flag(a.recordAppend));
  if (a.recordMaxSize !== null) o.line("record_max_size", formatSize(a.recordMaxSize));
  if (a.recordMaxFrames !== null) o.line("record_max_frames", a.recordMaxFrames);
  if (a.recordInterval !== null) o.line("record_interval", formatTime(a.recordInterval));
  o.line("hls", flag(a.hls));
  if (a.hlsPath !== null) o.line("hls_path", a.hlsPath);
  o.line("hls_fragment", formatTime(a.hlsFragment));
  o.line("hls_playlist_length", formatTime(a.hlsPlaylistLength));
  o.line("hls_max_fragment", formatTime(a.hlsMaxFragment));
  o.line("hls_nested", flag(a.hlsNested));
  o.line("hls_cleanup", flag(a.hlsCleanup));
  o.line("hls_continuous", flag(a.hlsContinuous));
  o.line("hls_fragment_naming", a.hlsFragmentNaming);
  o.line("hls_endlist", flag(a.hlsEndlist));
  for (const r of a.access) o.line(r.action, r.what, r.from);
  if (a.dropIdlePublisher !== null) o.line("drop_idle_publisher", formatTime(a.dropIdlePublisher));
  o.line("publish_replace", flag(a.publishReplace));
  o.line("gop_cache_size", formatSize(a.gopCacheSize));
}

function printTypes(o: Out, types: Map<string, string>): void {
  o.block(["types"], () => {
    for (const [ext, mime] of types) o.line(mime, ext);
  });
}

function printHttp(o: Out, h: HttpConfig): void {
  printTypes(o, h.types);
  o.line("default_type", h.defaultType);
  o.line("sendfile", flag(h.sendfile));
  o.line("keepalive_timeout", formatTime(h.keepaliveTimeout));
  if (h.accessLog) o.line("access_log", h.accessLog.path, h.accessLog.format);
  else o.line("access_log", "off");
  for (const s of h.servers) {
    o.block(["server"], () => {
      for (const l of s.listen) o.line("listen", formatListen(l));
      if (s.serverName.length) o.line("server_name", ...s.serverName);
      // An alias location's `root` is the one it inherits, the same for the whole server.
      const aliased = s.locations.find((l) => l.alias !== null);
      if (aliased) o.line("root", aliased.root);
      for (const l of s.locations) printLocation(o, l);
    });
  }
}

function printLocation(o: Out, l: LocationConfig): void {
  const head = l.modifier ? ["location", l.modifier, l.path] : ["location", l.path];
  o.block(head, () => {
    printTypes(o, l.types);
    o.line("default_type", l.defaultType);
    if (l.alias !== null) o.line("alias", l.alias);
    else o.line("root", l.root);
    o.line("index", ...l.index);
    for (const h of l.addHeaders) o.line("add_header", h.name, h.value, ...(h.always ? ["always"] : []));
  });
}
