/**
 * The nginx keyword table: every directive onair accepts, where it may
 * appear, how many arguments it takes and how its value is checked, with
 * nginx's (or nginx-rtmp's) wording for bad values.
 */
import { type ConfDirective, posOf } from "./block-parser.js";
import { type DirectiveSpec, fail, type Scope } from "./directive-walker.js";
import {
  isAddressOrCidr,
  parseFlag,
  parseListen,
  parseNumber,
  parseSize,
  parseTime,
} from "./nginx-values.js";
import type { AccessRule, ListenAddress, LogLevel, RecordMode } from "./types.js";

export type NgxCtx =
  | "main"
  | "events"
  | "rtmp"
  | "rtmp_server"
  | "application"
  | "http"
  | "http_server"
  | "location";

type Spec = DirectiveSpec<NgxCtx>;
export type NgxScope = Scope<NgxCtx>;

export const LOG_LEVELS: readonly LogLevel[] = [
  "debug",
  "info",
  "notice",
  "warn",
  "error",
  "crit",
  "alert",
  "emerg",
];
export const RECORD_VALUES = ["off", "all", "audio", "video", "keyframes", "manual"] as const;
export const FRAGMENT_NAMINGS = ["sequential", "timestamp", "system"] as const;

const flag = (d: ConfDirective): boolean =>
  parseFlag(d.args[0]) ??
  fail(d, `invalid value "${d.args[0]}" in "${d.name}" directive, it must be "on" or "off"`);
const time = (d: ConfDirective): number =>
  parseTime(d.args[0]) ?? fail(d, `"${d.name}" directive invalid value`);
const size = (d: ConfDirective): number =>
  parseSize(d.args[0]) ?? fail(d, `"${d.name}" directive invalid value`);
const num = (d: ConfDirective): number =>
  parseNumber(d.args[0]) ?? fail(d, `"${d.name}" directive invalid number`);
const str = (d: ConfDirective): string => d.args[0];

function positiveTime(d: ConfDirective): number {
  const v = time(d);
  if (v === 0) fail(d, `"${d.name}" directive invalid value`);
  return v;
}

function bounded(min: number, max: number, parse: (d: ConfDirective) => number) {
  return (d: ConfDirective): number => {
    const v = parse(d);
    if (v < min || v > max) fail(d, `"${d.name}" directive value must be between ${min} and ${max}`);
    return v;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (d: ConfDirective): T => {
    const v = d.args[0] as T;
    if (!values.includes(v)) fail(d, `invalid value "${d.args[0]}"`);
    return v;
  };
}

function listen(rtmp: boolean) {
  return (d: ConfDirective): ListenAddress => {
    if (d.args.length > 1) {
      fail(d, rtmp ? `the invalid "${d.args[1]}" parameter` : `invalid parameter "${d.args[1]}"`);
    }
    const r = parseListen(d.args[0], rtmp ? 1935 : 80);
    if (!r.ok) fail(d, r.problem);
    return r.value;
  };
}

function record(d: ConfDirective): RecordMode[] {
  const out: RecordMode[] = [];
  for (const a of d.args) {
    if (!(RECORD_VALUES as readonly string[]).includes(a)) fail(d, `invalid value "${a}"`);
    if (a !== "off" && !out.includes(a as RecordMode)) out.push(a as RecordMode);
  }
  return out;
}

/** allow and deny rules of one level, kept together in file order. */
export const ACCESS_KEY = "#access";

function access(d: ConfDirective, scope: NgxScope): AccessRule {
  const [what, from] = d.args;
  if (what !== "publish" && what !== "play") fail(d, `invalid parameter "${what}"`);
  if (!isAddressOrCidr(from)) fail(d, `invalid parameter "${from}"`);
  const rule: AccessRule = { action: d.name as "allow" | "deny", what, from, pos: posOf(d) };
  scope.set(ACCESS_KEY, rule, rule.pos);
  return rule;
}

function errorLog(d: ConfDirective): { path: string; level: LogLevel } {
  const level = (d.args[1] ?? "error") as LogLevel;
  if (!LOG_LEVELS.includes(level)) fail(d, `invalid log level "${d.args[1]}"`);
  return { path: d.args[0], level };
}

function accessLog(d: ConfDirective): { path: string; format: string } | null {
  if (d.args[0] === "off") {
    if (d.args.length > 1) fail(d, `invalid parameter "${d.args[1]}"`);
    return null;
  }
  const format = d.args[1] ?? "combined";
  if (format !== "combined") fail(d, `unknown log format "${format}"`);
  return { path: d.args[0], format };
}

function workerProcesses(d: ConfDirective): number | "auto" {
  if (d.args[0] === "auto") return "auto";
  const n = parseNumber(d.args[0]);
  if (n === null || n < 1) fail(d, `"${d.name}" directive invalid value`);
  return n;
}

function workerConnections(d: ConfDirective): number {
  const n = parseNumber(d.args[0]);
  if (n === null || n < 1) fail(d, `invalid number "${d.args[0]}"`);
  return n;
}

function application(d: ConfDirective, scope: NgxScope): string {
  if (scope.childrenOf("application").some((a) => a.blockValue === d.args[0])) {
    fail(d, `duplicate application "${d.args[0]}"`);
  }
  return d.args[0];
}

export interface LocationKey {
  modifier: "" | "=" | "^~";
  path: string;
}

function location(d: ConfDirective, scope: NgxScope): LocationKey {
  let key: LocationKey;
  if (d.args.length === 2) {
    const m = d.args[0];
    if (m === "~" || m === "~*") fail(d, `regular expression locations are not supported "${m}"`);
    if (m !== "=" && m !== "^~") fail(d, `invalid location modifier "${m}"`);
    key = { modifier: m, path: d.args[1] };
  } else {
    const a = d.args[0];
    if (a.startsWith("~") || a.startsWith("@")) fail(d, `location "${a}" is not supported`);
    if (a.startsWith("=")) key = { modifier: "=", path: a.slice(1) };
    else if (a.startsWith("^~")) key = { modifier: "^~", path: a.slice(2) };
    else key = { modifier: "", path: a };
  }
  const dup = scope.childrenOf("location").some((l) => {
    const k = l.blockValue as LocationKey;
    return k.path === key.path && (k.modifier === "=") === (key.modifier === "=");
  });
  if (dup) fail(d, `duplicate location "${key.path}"`);
  return key;
}

/** `types { mime ext...; }`: a raw block of (mime type, extensions) pairs. */
function types(d: ConfDirective): [string, string][] {
  const out: [string, string][] = [];
  for (const e of d.block ?? []) {
    if (e.terminator === "{") fail(e, `directive "${e.name}" is not terminated by ";"`);
    if (e.args.length === 0) fail(e, `invalid number of arguments in "${e.name}" directive`);
    for (const ext of e.args) out.push([ext.toLowerCase(), e.name]);
  }
  return out;
}

function rootOrAlias(d: ConfDirective, scope: NgxScope): string {
  const other = d.name === "root" ? "alias" : "root";
  if (scope.has(other))
    fail(d, `"${d.name}" directive is duplicate, "${other}" directive was specified earlier`);
  return d.args[0];
}

function addHeader(d: ConfDirective): { name: string; value: string; always: boolean } {
  if (d.args.length === 3 && d.args[2] !== "always") fail(d, `invalid parameter "${d.args[2]}"`);
  return { name: d.args[0], value: d.args[1], always: d.args.length === 3 };
}

/** The child context of `server` depends on its parent. */
function serverChild(parent: NgxScope): NgxCtx {
  return parent.ctx === "rtmp" ? "rtmp_server" : "http_server";
}

const RTMP_ANY: readonly NgxCtx[] = ["rtmp", "rtmp_server", "application"];
const RTMP_SRV: readonly NgxCtx[] = ["rtmp", "rtmp_server"];
const HTTP_ANY: readonly NgxCtx[] = ["http", "http_server", "location"];
const ONE: readonly [number, number] = [1, 1];
const MANY: readonly [number, number] = [1, 1_000_000];

const entries: [string, Spec][] = [
  // main and events
  ["worker_processes", { contexts: ["main"], args: ONE, value: workerProcesses }],
  ["error_log", { contexts: ["main"], args: [1, 2], multi: true, value: errorLog }],
  ["pid", { contexts: ["main"], args: ONE, value: str }],
  ["daemon", { contexts: ["main"], args: ONE, value: flag }],
  ["master_process", { contexts: ["main"], args: ONE, value: flag }],
  ["events", { contexts: ["main"], args: [0, 0], block: true, child: "events" }],
  ["worker_connections", { contexts: ["events"], args: ONE, value: workerConnections }],
  // rtmp
  ["rtmp", { contexts: ["main"], args: [0, 0], block: true, child: "rtmp" }],
  ["server", { contexts: ["rtmp", "http"], args: [0, 0], block: true, multi: true, child: serverChild }],
  ["listen", { contexts: ["rtmp_server", "http_server"], args: [1, 8], multi: true }],
  ["flush_interval", { contexts: ["rtmp"], args: ONE, value: bounded(0, 1000, time) }],
  ["chunk_size", { contexts: RTMP_SRV, args: ONE, value: bounded(128, 16_777_215, size) }],
  ["ping", { contexts: RTMP_SRV, args: ONE, value: time }],
  ["ping_timeout", { contexts: RTMP_SRV, args: ONE, value: time }],
  ["timeout", { contexts: RTMP_SRV, args: ONE, value: time }],
  ["max_message", { contexts: RTMP_SRV, args: ONE, value: size }],
  ["max_connections", { contexts: RTMP_SRV, args: ONE, value: num }],
  ["application", { contexts: ["rtmp_server"], args: ONE, block: true, multi: true, child: "application" }],
  ["live", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["record", { contexts: RTMP_ANY, args: MANY, value: record }],
  ["record_path", { contexts: RTMP_ANY, args: ONE, value: str }],
  ["record_suffix", { contexts: RTMP_ANY, args: ONE, value: str }],
  ["record_unique", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["record_append", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["record_max_size", { contexts: RTMP_ANY, args: ONE, value: size }],
  ["record_max_frames", { contexts: RTMP_ANY, args: ONE, value: num }],
  ["record_interval", { contexts: RTMP_ANY, args: ONE, value: time }],
  ["hls", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["hls_path", { contexts: RTMP_ANY, args: ONE, value: str }],
  ["hls_fragment", { contexts: RTMP_ANY, args: ONE, value: positiveTime }],
  ["hls_playlist_length", { contexts: RTMP_ANY, args: ONE, value: positiveTime }],
  ["hls_max_fragment", { contexts: RTMP_ANY, args: ONE, value: positiveTime }],
  ["hls_nested", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["hls_cleanup", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["hls_continuous", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["hls_fragment_naming", { contexts: RTMP_ANY, args: ONE, value: oneOf(FRAGMENT_NAMINGS) }],
  ["hls_endlist", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["allow", { contexts: RTMP_ANY, args: [2, 2], multi: true, value: access }],
  ["deny", { contexts: RTMP_ANY, args: [2, 2], multi: true, value: access }],
  ["drop_idle_publisher", { contexts: RTMP_ANY, args: ONE, value: positiveTime }],
  ["publish_replace", { contexts: RTMP_ANY, args: ONE, value: flag }],
  ["gop_cache_size", { contexts: RTMP_ANY, args: ONE, value: size }],
  // http
  ["http", { contexts: ["main"], args: [0, 0], block: true, child: "http" }],
  ["types", { contexts: HTTP_ANY, args: [0, 0], block: true, raw: true, multi: true, value: types }],
  ["default_type", { contexts: HTTP_ANY, args: ONE, value: str }],
  ["sendfile", { contexts: ["http"], args: ONE, value: flag }],
  ["keepalive_timeout", { contexts: ["http"], args: ONE, value: time }],
  ["access_log", { contexts: ["http"], args: [1, 2], value: accessLog }],
  ["server_name", { contexts: ["http_server"], args: MANY, multi: true, value: (d) => d.args }],
  ["location", { contexts: ["http_server"], args: [1, 2], block: true, multi: true, child: "location" }],
  ["root", { contexts: HTTP_ANY, args: ONE, value: rootOrAlias }],
  ["alias", { contexts: ["location"], args: ONE, value: rootOrAlias }],
  ["index", { contexts: HTTP_ANY, args: MANY, multi: true, value: (d) => d.args }],
  ["add_header", { contexts: HTTP_ANY, args: [2, 3], multi: true, value: addHeader }],
];

/** `server` and `listen` mean different things under rtmp and http; pick by context. */
function contextual(d: ConfDirective, scope: NgxScope): unknown {
  if (d.name === "listen") return listen(scope.ctx === "rtmp_server")(d);
  if (d.name === "application") return application(d, scope);
  if (d.name === "location") return location(d, scope);
  return true;
}

for (const [name, spec] of entries) {
  if (name === "listen" || name === "application" || name === "location") spec.value = contextual;
}

export const NGINX_DIRECTIVES: ReadonlyMap<string, Spec> = new Map(entries);
