/**
 * The keepalived keyword table: every keyword onair's VRRP daemon accepts,
 * where it may appear and how its value is checked, in keepalived's wording
 * (vrrp_parser.c, global_parser.c), followed by ` in FILE:LINE`.
 */
import { isIP } from "node:net";
import type { ConfDirective } from "./block-parser.js";
import { type DirectiveSpec, fail, type Scope, type WalkWording } from "./directive-walker.js";
import type { VirtualAddress } from "./types.js";

export type KaCtx = "main" | "global_defs" | "vrrp_script" | "vrrp_instance" | "authentication";
type Spec = DirectiveSpec<KaCtx>;
export type KaScope = Scope<KaCtx>;

export const KEEPALIVED_WORDING: WalkWording = {
  unknown: (name) => `Unknown keyword '${name}'`,
  notAllowed: (name) => `Unknown keyword '${name}'`,
  missingArgument: (name) =>
    `Configuration line starting \`${name}\` is missing a parameter after keyword \`${name}\` at word position 2`,
};

/** Key under which value parsers leave warnings on the root scope. */
export const WARNING_KEY = "#warning";

/** The instance or script name a keyword sits in, for keepalived's `(VI_1)` prefix. */
function owner(scope: KaScope): string {
  for (let s: KaScope | null = scope; s; s = s.parent)
    if (typeof s.blockValue === "string") return s.blockValue;
  return "";
}

function root(scope: KaScope): KaScope {
  let s = scope;
  while (s.parent) s = s.parent;
  return s;
}

export function warn(scope: KaScope, d: ConfDirective, text: string): void {
  root(scope).set(WARNING_KEY, `(${d.file}: Line ${d.line}) ${text}`, { file: d.file, line: d.line });
}

/** keepalived's read_int: an optionally signed decimal integer. */
export function parseInteger(text: string): number | null {
  return /^[+-]?\d{1,15}$/.test(text) ? Number(text) : null;
}

/** keepalived's read_decimal_unsigned: seconds, possibly fractional, as milliseconds. */
export function parseSeconds(text: string): number | null {
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(text)) return null;
  return Math.round(Number(text) * 1000);
}

export function parseBool(text: string | undefined): boolean | null {
  if (text === undefined) return true;
  if (["on", "true", "yes"].includes(text.toLowerCase())) return true;
  if (["off", "false", "no"].includes(text.toLowerCase())) return false;
  return null;
}

function ranged(d: ConfDirective, min: number, max: number, problem: () => string): number {
  const v = parseInteger(d.args[0]);
  if (v === null || v < min || v > max) fail(d, problem());
  return v;
}

const bool = (d: ConfDirective): boolean =>
  parseBool(d.args[0]) ?? fail(d, `Invalid value '${d.args[0]}' for '${d.name}'`);
const joined = (d: ConfDirective): string => d.args.join(" ");
const invalidNumber = (d: ConfDirective): string => `invalid number '${d.args[0]}'`;

function seconds(d: ConfDirective): number {
  return parseSeconds(d.args[0]) ?? fail(d, invalidNumber(d));
}

function named(kind: "vrrp_instance" | "vrrp_script") {
  return (d: ConfDirective, scope: KaScope): string => {
    if (d.args.length === 0) fail(d, `${kind} must have a name`);
    const label = kind === "vrrp_instance" ? "vrrp instance" : "vrrp script";
    if (scope.childrenOf(kind).some((c) => c.blockValue === d.args[0]))
      fail(d, `${label} ${d.args[0]} already defined`);
    return d.args[0];
  };
}

function smtpServer(d: ConfDirective): { host: string; port: number } {
  const port = d.args[1] === undefined ? 25 : parseInteger(d.args[1]);
  const hostOk = isIP(d.args[0]) !== 0 || /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(d.args[0]);
  if (port === null || port < 1 || port > 65535 || !hostOk)
    fail(d, `Invalid smtp server ${d.args.join(" ")}`);
  return { host: d.args[0], port };
}

function userGroup(d: ConfDirective): { user: string; group: string | null } {
  return { user: d.args[0], group: d.args[1] ?? null };
}

function vrrpVersion(prefix: string) {
  return (d: ConfDirective, scope: KaScope): 2 | 3 => {
    const p = prefix === "global" ? "VRRP Error:" : `(${owner(scope)}):`;
    return ranged(d, 2, 3, () => `${p} Version must be either 2 or 3`) as 2 | 3;
  };
}

/** `http_check URL [status CODE] [timeout SECONDS]` (onair's built-in check). */
function httpCheck(d: ConfDirective): { url: string; status: number; timeout: number | null } {
  let url: URL | null = null;
  try {
    url = new URL(d.args[0]);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    fail(d, `invalid http_check URL '${d.args[0]}'`);
  let status = 200;
  let timeout: number | null = null;
  for (let i = 1; i < d.args.length; i += 2) {
    const [k, v] = [d.args[i], d.args[i + 1]];
    if (k === "status" && v !== undefined && /^[1-5]\d\d$/.test(v)) status = Number(v);
    else if (k === "timeout" && v !== undefined && parseSeconds(v)) timeout = parseSeconds(v);
    else fail(d, `invalid http_check parameter '${k}${v === undefined ? "" : ` ${v}`}'`);
  }
  return { url: d.args[0], status, timeout };
}

function scriptWeight(d: ConfDirective, scope: KaScope): number {
  if (d.args.length > 1 && d.args[1] !== "reverse") fail(d, `Unknown keyword '${d.args[1]}'`);
  const w = ranged(
    d,
    -253,
    253,
    () => `vrrp_script ${owner(scope)} weight ${d.args[0]} must be in [-253, 253]`,
  );
  return d.args[1] === "reverse" ? -w : w;
}

function riseFall(d: ConfDirective, scope: KaScope): number {
  return ranged(
    d,
    1,
    2147483647,
    () => `(${owner(scope)}): vrrp script ${d.name} value '${d.args[0]}' invalid`,
  );
}

function scriptInterval(d: ConfDirective, scope: KaScope): number {
  const v = parseSeconds(d.args[0]);
  if (!v) fail(d, `(${owner(scope)}): vrrp script ${d.name} must be greater than 0`);
  return v;
}

function state(d: ConfDirective, scope: KaScope): "MASTER" | "BACKUP" {
  if (d.args[0] !== "MASTER" && d.args[0] !== "BACKUP")
    fail(d, `(${owner(scope)}) unknown state '${d.args[0]}'`);
  return d.args[0];
}

function advertInt(d: ConfDirective, scope: KaScope): number {
  const v = parseSeconds(d.args[0]);
  if (!v || v > 255_000) fail(d, `(${owner(scope)}) Advert interval (${d.args[0]}) not valid! Must be > 0`);
  return v;
}

function authType(d: ConfDirective, scope: KaScope): "PASS" | "AH" {
  if (d.args[0] !== "PASS" && d.args[0] !== "AH") {
    fail(d, `(${owner(scope)}) unknown authentication type '${d.args[0]}'`);
  }
  return d.args[0];
}

/** keepalived uses 8 bytes of auth_pass (RFC 2338 section 5.3.10) and warns when given more. */
export const AUTH_PASS_MAX = 8;

function authPass(d: ConfDirective, scope: KaScope): string {
  const pass = d.args.join(" ");
  if (Buffer.byteLength(pass) <= AUTH_PASS_MAX) return pass;
  warn(scope, d, `Truncating auth_pass to ${AUTH_PASS_MAX} characters`);
  // Keep whole UTF-8 characters: a character cut in half is dropped.
  let out = "";
  for (const ch of pass) {
    if (Buffer.byteLength(out + ch) > AUTH_PASS_MAX) break;
    out += ch;
  }
  return out;
}

function garp(d: ConfDirective, scope: KaScope, seconds: boolean): number {
  const v = parseInteger(d.args[0]);
  if (v === null || v < 0) fail(d, `(${owner(scope)}): ${d.name} '${d.args[0]}' invalid`);
  return seconds ? v * 1000 : v;
}

function ip(d: ConfDirective): string {
  if (isIP(d.args[0]) === 0) fail(d, `invalid IP address '${d.args[0]}'`);
  return d.args[0];
}

/** One `virtual_ipaddress` line: `ADDR[/LEN] [dev IF]`. */
export function virtualAddress(e: ConfDirective): VirtualAddress {
  const [addrText, ...opts] = [e.name, ...e.args];
  const slash = addrText.indexOf("/");
  const address = slash < 0 ? addrText : addrText.slice(0, slash);
  const family = isIP(address);
  if (family === 0) fail(e, `VRRP parsed invalid IP ${addrText}`);
  const max = family === 4 ? 32 : 128;
  const prefixLen = slash < 0 ? max : parseInteger(addrText.slice(slash + 1));
  if (prefixLen === null || prefixLen < 0 || prefixLen > max) {
    fail(e, `Invalid address prefix len ${addrText.slice(slash + 1)} for address ${addrText}`);
  }
  let dev: string | null = null;
  for (let i = 0; i < opts.length; i += 2) {
    if (opts[i] !== "dev" || opts[i + 1] === undefined) fail(e, `Unknown keyword '${opts[i]}'`);
    dev = opts[i + 1];
  }
  return { address, prefixLen, dev };
}

const G: readonly KaCtx[] = ["global_defs"];
const S: readonly KaCtx[] = ["vrrp_script"];
const I: readonly KaCtx[] = ["vrrp_instance"];
const ONE: readonly [number, number] = [1, 1];
const ANY: readonly [number, number] = [1, 1000];
const FLAG: readonly [number, number] = [0, 1];
const LIST = { args: [0, 0] as const, block: true, raw: true, value: (d: ConfDirective) => d.block ?? [] };

const entries: [string, Spec][] = [
  ["global_defs", { contexts: ["main"], args: [0, 0], block: true, child: "global_defs" }],
  [
    "vrrp_script",
    { contexts: ["main"], args: [0, 1], block: true, child: "vrrp_script", value: named("vrrp_script") },
  ],
  [
    "vrrp_instance",
    { contexts: ["main"], args: [0, 1], block: true, child: "vrrp_instance", value: named("vrrp_instance") },
  ],
  // global_defs
  ["router_id", { contexts: G, args: ONE, value: (d) => d.args[0] }],
  ["notification_email", { contexts: G, ...LIST }],
  ["notification_email_from", { contexts: G, args: ONE, value: (d) => d.args[0] }],
  ["smtp_server", { contexts: G, args: [1, 2], value: smtpServer }],
  [
    "smtp_connect_timeout",
    {
      contexts: G,
      args: ONE,
      value: (d) => 1000 * ranged(d, 0, 4294, () => `${d.name} '${d.args[0]}' must be in [0, 4294]`),
    },
  ],
  ["vrrp_version", { contexts: G, args: ONE, value: vrrpVersion("global") }],
  ["script_user", { contexts: G, args: [1, 2], value: userGroup }],
  ["enable_script_security", { contexts: G, args: [0, 0] }],
  ["smtp_alert", { contexts: ["global_defs", "vrrp_instance"], args: FLAG, value: bool }],
  // vrrp_script
  ["script", { contexts: S, args: ANY, value: joined }],
  ["http_check", { contexts: S, args: [1, 5], value: httpCheck }],
  ["interval", { contexts: S, args: ONE, value: scriptInterval }],
  ["timeout", { contexts: S, args: ONE, value: scriptInterval }],
  ["weight", { contexts: S, args: [1, 2], value: scriptWeight }],
  ["rise", { contexts: S, args: ONE, value: riseFall }],
  ["fall", { contexts: S, args: ONE, value: riseFall }],
  ["user", { contexts: S, args: [1, 2], value: userGroup }],
  // vrrp_instance
  ["state", { contexts: I, args: ONE, value: state }],
  ["interface", { contexts: I, args: ONE, value: (d) => d.args[0] }],
  [
    "virtual_router_id",
    {
      contexts: I,
      args: ONE,
      value: (d, s) =>
        ranged(d, 1, 255, () => `(${owner(s)}): VRID '${d.args[0]}' not valid - must be between 1 & 255`),
    },
  ],
  [
    "priority",
    {
      contexts: I,
      args: ONE,
      value: (d, s) => ranged(d, 1, 255, () => `(${owner(s)}) Priority not valid! must be between 1 & 255`),
    },
  ],
  ["advert_int", { contexts: I, args: ONE, value: advertInt }],
  ["version", { contexts: I, args: ONE, value: vrrpVersion("instance") }],
  ["authentication", { contexts: I, args: [0, 0], block: true, child: "authentication" }],
  ["auth_type", { contexts: ["authentication"], args: ONE, value: authType }],
  ["auth_pass", { contexts: ["authentication"], args: ANY, value: authPass }],
  ["virtual_ipaddress", { contexts: I, ...LIST }],
  ["track_script", { contexts: I, ...LIST }],
  ["track_interface", { contexts: I, ...LIST }],
  ["unicast_peer", { contexts: I, ...LIST }],
  ["notify_master", { contexts: I, args: ANY, value: joined }],
  ["notify_backup", { contexts: I, args: ANY, value: joined }],
  ["notify_fault", { contexts: I, args: ANY, value: joined }],
  ["notify_stop", { contexts: I, args: ANY, value: joined }],
  ["notify", { contexts: I, args: ANY, value: joined }],
  ["nopreempt", { contexts: I, args: [0, 0] }],
  ["preempt_delay", { contexts: I, args: ONE, value: seconds }],
  ["unicast_src_ip", { contexts: I, args: ONE, value: ip }],
  ["garp_master_delay", { contexts: I, args: ONE, value: (d, s) => garp(d, s, true) }],
  ["garp_master_repeat", { contexts: I, args: ONE, value: (d, s) => garp(d, s, false) }],
  ["garp_master_refresh", { contexts: I, args: ONE, value: (d, s) => garp(d, s, true) }],
  ["garp_master_refresh_repeat", { contexts: I, args: ONE, value: (d, s) => garp(d, s, false) }],
  ["higher_prio_send_advert", { contexts: I, args: FLAG, value: bool }],
];

for (const [, spec] of entries) spec.multi = true;

export const KEEPALIVED_DIRECTIVES: ReadonlyMap<string, Spec> = new Map(entries);
