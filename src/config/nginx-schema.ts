/**
 * The nginx schema: reads an nginx-style file (the guide's nginx.conf, what
 * nginx-rtmp users write) into a typed, checked NginxConfig, with
 * inheritance resolved (rtmp → server → application; http → server →
 * location) and relative paths resolved against the prefix as nginx does.
 */

import { dirname, isAbsolute, join, resolve } from "node:path";
import { getuid } from "node:process";
import { type ConfDirective, type ParseOptions, parseConfigFile, parseConfigText } from "./block-parser.js";
import { COMMAND_LINE_FILE } from "./config-error.js";
import { Scope, walkDirectives } from "./directive-walker.js";
import {
  ACCESS_KEY,
  type LocationKey,
  NGINX_DIRECTIVES,
  type NgxCtx,
  type NgxScope,
} from "./nginx-directives.js";
import { projectPrefix } from "./paths.js";
import {
  type AccessRule,
  DEFAULT_FLUSH_INTERVAL_MS,
  type HeaderDirective,
  type HttpConfig,
  type HttpServerConfig,
  type ListenAddress,
  type LocationConfig,
  type LogLevel,
  type NginxConfig,
  type RecordMode,
  type RtmpApplicationConfig,
  type RtmpConfig,
  type RtmpServerConfig,
} from "./types.js";

export interface NginxLoadOptions {
  /** The -p prefix: relative paths (root, hls_path, logs) are resolved against it. */
  prefix: string;
  /** The -g directives, parsed before the file as nginx does. */
  extraDirectives?: string;
}

/** nginx's built-in types when no `types {}` is set anywhere. */
export const NGINX_DEFAULT_TYPES: readonly [string, string][] = [
  ["html", "text/html"],
  ["gif", "image/gif"],
  ["jpg", "image/jpeg"],
];

/** Reads, checks and resolves an nginx-style config file. Throws ConfigError. */
export function loadNginxConfig(file: string, opts: NginxLoadOptions): NginxConfig {
  const abs = resolve(file);
  const main = mainScope(abs, opts);
  const files: string[] = [];
  const tree = parseConfigFile(abs, { ...nginxParseOptions(), filesRead: files });
  walkDirectives(tree, main, NGINX_DIRECTIVES);
  return resolveNginx(main, abs, resolve(opts.prefix), [...new Set(files)]);
}

/** Same as loadNginxConfig for text already in memory (includes resolve from `file`'s folder). */
export function parseNginxConfigText(text: string, file: string, opts: NginxLoadOptions): NginxConfig {
  const abs = resolve(file);
  const main = mainScope(abs, opts);
  const files: string[] = [abs];
  const tree = parseConfigText(text, abs, { ...nginxParseOptions(), filesRead: files });
  walkDirectives(tree, main, NGINX_DIRECTIVES);
  return resolveNginx(main, abs, resolve(opts.prefix), [...new Set(files)]);
}

/** How nginx-style files are read (lexer mode, include fallback to onair's conf/). */
export function nginxParseOptions(): ParseOptions {
  return { mode: "nginx", fallbackIncludeDirs: [join(projectPrefix(), "conf")] };
}

function mainScope(file: string, opts: NginxLoadOptions): NgxScope {
  const main = new Scope<NgxCtx>("main", null, null);
  if (opts.extraDirectives) {
    const tree: ConfDirective[] = parseConfigText(opts.extraDirectives, COMMAND_LINE_FILE, {
      ...nginxParseOptions(),
      includeBase: dirname(file),
    });
    walkDirectives(tree, main, NGINX_DIRECTIVES);
  }
  return main;
}

function pathIn(prefix: string, p: string): string {
  return isAbsolute(p) ? p : resolve(prefix, p);
}

function resolveNginx(main: NgxScope, file: string, prefix: string, files: string[]): NginxConfig {
  const logs = main.all<{ path: string; level: LogLevel }>("error_log");
  const events = main.childrenOf("events")[0];
  const rtmp = main.childrenOf("rtmp")[0];
  const http = main.childrenOf("http")[0];
  return {
    file,
    files,
    prefix,
    workerProcesses: main.get<number | "auto">("worker_processes") ?? 1,
    errorLog: logs.length
      ? logs.map((l) => ({ path: l.path === "stderr" ? "stderr" : pathIn(prefix, l.path), level: l.level }))
      : [{ path: resolve(prefix, "logs/error.log"), level: "error" }],
    pid: pathIn(prefix, main.get<string>("pid") ?? "logs/onair.pid"),
    daemon: main.get<boolean>("daemon") ?? false,
    masterProcess: main.get<boolean>("master_process") ?? true,
    workerConnections: events?.get<number>("worker_connections") ?? 512,
    rtmp: rtmp ? resolveRtmp(rtmp, prefix) : null,
    http: http ? resolveHttp(http, prefix) : null,
  };
}

function posOfScope(s: NgxScope): { file: string; line: number } {
  const d = s.directive!;
  return { file: d.file, line: d.line };
}

function resolveRtmp(rtmp: NgxScope, prefix: string): RtmpConfig {
  return {
    servers: rtmp.childrenOf("rtmp_server").map((s) => resolveRtmpServer(s, prefix)),
    flushInterval: rtmp.inherited<number>("flush_interval") ?? DEFAULT_FLUSH_INTERVAL_MS,
    pos: posOfScope(rtmp),
  };
}

function resolveRtmpServer(s: NgxScope, prefix: string): RtmpServerConfig {
  return {
    listen: s.all<ListenAddress>("listen"),
    chunkSize: s.inherited<number>("chunk_size") ?? 4096,
    ping: s.inherited<number>("ping") ?? 60_000,
    pingTimeout: s.inherited<number>("ping_timeout") ?? 30_000,
    timeout: s.inherited<number>("timeout") ?? 60_000,
    maxConnections: s.inherited<number>("max_connections") ?? null,
    maxMessage: s.inherited<number>("max_message") ?? 1024 * 1024,
    applications: s.childrenOf("application").map((a) => resolveApplication(a, prefix)),
    pos: posOfScope(s),
  };
}

function resolveApplication(a: NgxScope, prefix: string): RtmpApplicationConfig {
  const pos = posOfScope(a);
  const path = (name: string): string | null => {
    const v = a.inherited<string>(name);
    return v === undefined ? null : pathIn(prefix, v);
  };
  const hlsFragment = a.inherited<number>("hls_fragment") ?? 5000;
  return {
    name: a.blockValue as string,
    live: a.inherited<boolean>("live") ?? false,
    record: a.inherited<RecordMode[]>("record") ?? [],
    recordPath: path("record_path"),
    recordSuffix: a.inherited<string>("record_suffix") ?? ".flv",
    recordUnique: a.inherited<boolean>("record_unique") ?? false,
    recordAppend: a.inherited<boolean>("record_append") ?? false,
    recordMaxSize: a.inherited<number>("record_max_size") ?? null,
    recordMaxFrames: a.inherited<number>("record_max_frames") ?? null,
    recordInterval: a.inherited<number>("record_interval") ?? null,
    hls: a.inherited<boolean>("hls") ?? false,
    hlsPath: path("hls_path"),
    hlsFragment,
    hlsPlaylistLength: a.inherited<number>("hls_playlist_length") ?? 30_000,
    hlsMaxFragment: a.inherited<number>("hls_max_fragment") ?? hlsFragment * 10,
    hlsNested: a.inherited<boolean>("hls_nested") ?? false,
    hlsCleanup: a.inherited<boolean>("hls_cleanup") ?? true,
    hlsContinuous: a.inherited<boolean>("hls_continuous") ?? true,
    hlsFragmentNaming:
      a.inherited<RtmpApplicationConfig["hlsFragmentNaming"]>("hls_fragment_naming") ?? "sequential",
    hlsEndlist: a.inherited<boolean>("hls_endlist") ?? true,
    access: a.inheritedAll<AccessRule>(ACCESS_KEY),
    dropIdlePublisher: a.inherited<number>("drop_idle_publisher") ?? null,
    publishReplace: a.inherited<boolean>("publish_replace") ?? false,
    gopCacheSize: a.inherited<number>("gop_cache_size") ?? 8 * 1024 * 1024,
    pos,
  };
}

function typesOf(s: NgxScope): Map<string, string> | null {
  for (let l: NgxScope | null = s; l && l.ctx !== "main"; l = l.parent) {
    if (l.has("types")) return new Map(l.all<[string, string][]>("types").flat());
  }
  return null;
}

function resolveHttp(http: NgxScope, prefix: string): HttpConfig {
  const accessLog = http.has("access_log")
    ? http.get<{ path: string; format: string } | null>("access_log")!
    : { path: "logs/access.log", format: "combined" };
  return {
    types: typesOf(http) ?? new Map(NGINX_DEFAULT_TYPES),
    defaultType: http.get<string>("default_type") ?? "text/plain",
    sendfile: http.get<boolean>("sendfile") ?? false,
    keepaliveTimeout: http.get<number>("keepalive_timeout") ?? 75_000,
    accessLog: accessLog && { path: pathIn(prefix, accessLog.path), format: accessLog.format },
    servers: http.childrenOf("http_server").map((s) => resolveHttpServer(s, prefix)),
    pos: posOfScope(http),
  };
}

/** nginx listens on *:80 as root, *:8000 otherwise, when a server has no `listen`. */
function defaultHttpListen(): ListenAddress[] {
  return [{ host: null, port: getuid?.() === 0 ? 80 : 8000 }];
}

function resolveHttpServer(s: NgxScope, prefix: string): HttpServerConfig {
  const listen = s.all<ListenAddress>("listen");
  return {
    listen: listen.length ? listen : defaultHttpListen(),
    serverName: s.all<string[]>("server_name").flat(),
    locations: s.childrenOf("location").map((l) => resolveLocation(l, prefix)),
    pos: posOfScope(s),
  };
}

function resolveLocation(l: NgxScope, prefix: string): LocationConfig {
  const key = l.blockValue as LocationKey;
  const alias = l.get<string>("alias");
  const rootScope = alias === undefined ? l : l.parent!;
  const index = l.inheritedAll<string[]>("index").flat();
  return {
    path: key.path,
    modifier: key.modifier,
    types: typesOf(l) ?? new Map(NGINX_DEFAULT_TYPES),
    defaultType: l.inherited<string>("default_type") ?? "text/plain",
    root: pathIn(prefix, rootScope.inherited<string>("root") ?? "html"),
    alias: alias === undefined ? null : pathIn(prefix, alias),
    index: index.length ? index : ["index.html"],
    addHeaders: l.inheritedAll<HeaderDirective>("add_header"),
    pos: posOfScope(l),
  };
}
