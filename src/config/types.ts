/**
 * Typed results of the two config schemas. Times are milliseconds, sizes
 * bytes, paths absolute (relative ones are resolved against the prefix, as
 * nginx does). Every block keeps `pos` so later errors can name file:line.
 */

export interface SourcePos {
  file: string;
  line: number;
}

export type LogLevel = "debug" | "info" | "notice" | "warn" | "error" | "crit" | "alert" | "emerg";

export interface ListenAddress {
  /** null means every address (nginx's `listen 1935;`). */
  host: string | null;
  port: number;
}

// ---------------------------------------------------------------- nginx

export interface NginxConfig {
  /** Absolute path of the main file. */
  file: string;
  /** Every file read, main file first, then included files in the order read (for -T). */
  files?: string[];
  /** The -p prefix (default: the project folder). */
  prefix: string;
  workerProcesses: number | "auto";
  errorLog: { path: string; level: LogLevel }[];
  /** Absolute pid file path (default PREFIX/logs/onair.pid). */
  pid: string;
  daemon: boolean;
  masterProcess: boolean;
  workerConnections: number;
  rtmp: RtmpConfig | null;
  http: HttpConfig | null;
}

/** Default `flush_interval` (ms): see docs/configuration.md. */
export const DEFAULT_FLUSH_INTERVAL_MS = 200;

export interface RtmpConfig {
  servers: RtmpServerConfig[];
  /** flush_interval in ms: publishers are read and players written once per interval (0 = as data comes). */
  flushInterval: number;
  pos: SourcePos;
}

export interface RtmpServerConfig {
  listen: ListenAddress[];
  /** Outgoing chunk size (default 4096). */
  chunkSize: number;
  /** Ping interval in ms (default 60000; 0 = off). */
  ping: number;
  /** ping_timeout in ms (default 30000). */
  pingTimeout: number;
  /** Socket idle timeout in ms (default 60000). */
  timeout: number;
  /** null = unlimited. */
  maxConnections: number | null;
  /** max_message in bytes (default 1 MiB, as nginx-rtmp). */
  maxMessage: number;
  applications: RtmpApplicationConfig[];
  pos: SourcePos;
}

export type RecordMode = "all" | "audio" | "video" | "keyframes" | "manual";

export interface AccessRule {
  action: "allow" | "deny";
  what: "publish" | "play";
  /** "all", or an IPv4/IPv6 address or CIDR as written. */
  from: string;
  pos: SourcePos;
}

export interface RtmpApplicationConfig {
  name: string;
  live: boolean;
  /** Empty = record off. */
  record: RecordMode[];
  recordPath: string | null;
  recordSuffix: string;
  recordUnique: boolean;
  recordAppend: boolean;
  recordMaxSize: number | null;
  recordMaxFrames: number | null;
  recordInterval: number | null;
  hls: boolean;
  hlsPath: string | null;
  /** ms, default 5000 as nginx-rtmp. */
  hlsFragment: number;
  /** ms, default 30000 as nginx-rtmp. */
  hlsPlaylistLength: number;
  /** ms; a GOP longer than this is cut anyway (default 10 × hlsFragment). */
  hlsMaxFragment: number;
  hlsNested: boolean;
  hlsCleanup: boolean;
  hlsContinuous: boolean;
  hlsFragmentNaming: "sequential" | "timestamp" | "system";
  /** ours: write EXT-X-ENDLIST when the publisher stops (default on; off = nginx-rtmp's behaviour). */
  hlsEndlist: boolean;
  access: AccessRule[];
  /** ms, null = off. */
  dropIdlePublisher: number | null;
  /** ours: a new publisher on a busy name replaces the old one (default off = BadName as nginx-rtmp). */
  publishReplace: boolean;
  /** ours: bytes of GOP cache kept per stream for late joiners (default 8 MiB). */
  gopCacheSize: number;
  pos: SourcePos;
}

export interface HeaderDirective {
  name: string;
  value: string;
  always: boolean;
}

export interface HttpConfig {
  /** Extension (lowercase, no dot) → MIME type, from `types {}` and `include mime.types`. */
  types: Map<string, string>;
  defaultType: string;
  sendfile: boolean;
  /** ms */
  keepaliveTimeout: number;
  /** null = access_log off. Default PREFIX/logs/access.log combined. */
  accessLog: { path: string; format: string } | null;
  servers: HttpServerConfig[];
  pos: SourcePos;
}

export interface HttpServerConfig {
  listen: ListenAddress[];
  serverName: string[];
  locations: LocationConfig[];
  pos: SourcePos;
}

/** A location with inheritance already resolved (http → server → location), as nginx does. */
export interface LocationConfig {
  /** Prefix or exact match path. */
  path: string;
  modifier: "" | "=" | "^~";
  types: Map<string, string>;
  defaultType: string;
  /** Absolute root (default PREFIX/html). */
  root: string;
  /** Absolute alias, or null. */
  alias: string | null;
  index: string[];
  addHeaders: HeaderDirective[];
  pos: SourcePos;
}

// ---------------------------------------------------------------- keepalived

export interface KeepalivedConfig {
  file: string;
  globalDefs: GlobalDefs;
  scripts: Map<string, VrrpScriptConfig>;
  instances: VrrpInstanceConfig[];
  /** Non-fatal findings (e.g. auth_pass longer than 8), with file:line, in keepalived's wording. */
  warnings: string[];
}

export interface GlobalDefs {
  /** default: the host name */
  routerId: string;
  notificationEmail: string[];
  notificationEmailFrom: string | null;
  smtpServer: { host: string; port: number } | null;
  /** ms, default 30000 */
  smtpConnectTimeout: number;
  vrrpVersion: 2 | 3;
  scriptUser: { user: string; group: string | null } | null;
  enableScriptSecurity: boolean;
  /** global smtp_alert default */
  smtpAlert: boolean;
  pos: SourcePos | null;
}

export interface VrrpScriptConfig {
  name: string;
  /** The command line as written (run as keepalived runs it), or null for the built-in HTTP check. */
  script: string | null;
  /** ours: built-in HTTP check instead of a script. */
  httpCheck: { url: string; status: number; timeout: number } | null;
  /** ms, default 1000 */
  interval: number;
  /** ms, default = interval */
  timeout: number;
  /** default 0 */
  weight: number;
  rise: number;
  fall: number;
  user: { user: string; group: string | null } | null;
  pos: SourcePos;
}

export interface VirtualAddress {
  address: string;
  prefixLen: number;
  /** null = the instance's interface */
  dev: string | null;
}

export interface VrrpInstanceConfig {
  name: string;
  state: "MASTER" | "BACKUP";
  interface: string;
  virtualRouterId: number;
  priority: number;
  /** ms */
  advertInt: number;
  version: 2 | 3;
  auth: { type: "PASS" | "AH"; pass: string } | null;
  virtualIpaddress: VirtualAddress[];
  trackScript: { name: string; weight: number | null }[];
  trackInterface: { name: string; weight: number | null }[];
  notifyMaster: string | null;
  notifyBackup: string | null;
  notifyFault: string | null;
  notifyStop: string | null;
  notify: string | null;
  /** null = the global default */
  smtpAlert: boolean | null;
  nopreempt: boolean;
  /** ms */
  preemptDelay: number;
  unicastSrcIp: string | null;
  unicastPeer: string[];
  /** ms, default 5000 */
  garpMasterDelay: number;
  /** default 5 */
  garpMasterRepeat: number;
  /** ms, 0 = off */
  garpMasterRefresh: number;
  garpMasterRefreshRepeat: number;
  higherPrioSendAdvert: boolean;
  pos: SourcePos;
}
