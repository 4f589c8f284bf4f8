/**
 * The keepalived schema: reads a keepalived.conf (the guide's master, backup,
 * health-check and notification files) into a typed, checked
 * KeepalivedConfig with keepalived's defaults. Unknown keywords are errors
 * (keepalived only warns); non-fatal findings go to `warnings`.
 */

import { isIP } from "node:net";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { type ConfDirective, parseConfigFile, parseConfigText, posOf } from "./block-parser.js";
import { ConfigError } from "./config-error.js";
import { fail, Scope, walkDirectives } from "./directive-walker.js";
import {
  type KaCtx,
  type KaScope,
  KEEPALIVED_DIRECTIVES,
  KEEPALIVED_WORDING,
  parseInteger,
  virtualAddress,
  WARNING_KEY,
  warn,
} from "./keepalived-directives.js";
import type { GlobalDefs, KeepalivedConfig, VrrpInstanceConfig, VrrpScriptConfig } from "./types.js";

/** Reads, checks and resolves a keepalived-style config file. Throws ConfigError. */
export function loadKeepalivedConfig(file: string): KeepalivedConfig {
  const abs = resolve(file);
  return fromTree(parseConfigFile(abs, { mode: "keepalived" }), abs);
}

/** Same as loadKeepalivedConfig for text in memory (includes resolve from `file`'s folder). */
export function parseKeepalivedConfigText(text: string, file: string): KeepalivedConfig {
  const abs = resolve(file);
  return fromTree(parseConfigText(text, abs, { mode: "keepalived" }), abs);
}

function fromTree(tree: ConfDirective[], file: string): KeepalivedConfig {
  const main = new Scope<KaCtx>("main", null, null);
  walkDirectives(tree, main, KEEPALIVED_DIRECTIVES, KEEPALIVED_WORDING);
  const globalDefs = resolveGlobal(main);
  const scripts = new Map<string, VrrpScriptConfig>();
  for (const s of main.childrenOf("vrrp_script")) scripts.set(s.blockValue as string, resolveScript(s));
  const instances: VrrpInstanceConfig[] = [];
  for (const i of main.childrenOf("vrrp_instance")) {
    // keepalived drops an instance without a VRID (with a message) and goes on.
    if (!i.has("virtual_router_id")) {
      warn(i, i.directive!, `(${i.blockValue}) the virtual router id must be set - removing instance`);
      continue;
    }
    instances.push(resolveInstance(i, globalDefs, scripts));
  }
  return { file, globalDefs, scripts, instances, warnings: main.all<string>(WARNING_KEY) };
}

/** The last value of a keyword over every block of a kind (keepalived: later overrides). */
function lastOf<T>(blocks: KaScope[], name: string): T | undefined {
  let v: T | undefined;
  for (const b of blocks) if (b.has(name)) v = b.last<T>(name);
  return v;
}

function entries(scope: KaScope, name: string): ConfDirective[] {
  const out: ConfDirective[] = [];
  for (const list of scope.all<ConfDirective[]>(name)) {
    for (const e of list) {
      if (e.block) throw new ConfigError('unexpected "{"', posOf(e));
      out.push(e);
    }
  }
  return out;
}

function resolveGlobal(main: KaScope): GlobalDefs {
  const blocks = main.childrenOf("global_defs");
  const emails = blocks.flatMap((b) => entries(b, "notification_email")).flatMap((e) => [e.name, ...e.args]);
  const first = blocks[0]?.directive;
  return {
    routerId: lastOf<string>(blocks, "router_id") ?? hostname(),
    notificationEmail: emails,
    notificationEmailFrom: lastOf<string>(blocks, "notification_email_from") ?? null,
    smtpServer: lastOf<{ host: string; port: number }>(blocks, "smtp_server") ?? null,
    smtpConnectTimeout: lastOf<number>(blocks, "smtp_connect_timeout") ?? 30_000,
    vrrpVersion: lastOf<2 | 3>(blocks, "vrrp_version") ?? 2,
    scriptUser: lastOf<{ user: string; group: string | null }>(blocks, "script_user") ?? null,
    enableScriptSecurity: lastOf<boolean>(blocks, "enable_script_security") ?? false,
    smtpAlert: lastOf<boolean>(blocks, "smtp_alert") ?? false,
    pos: first ? posOf(first) : null,
  };
}

function resolveScript(s: KaScope): VrrpScriptConfig {
  const d = s.directive!;
  const name = s.blockValue as string;
  const script = s.last<string>("script") ?? null;
  const http = s.last<{ url: string; status: number; timeout: number | null }>("http_check") ?? null;
  if (script === null && http === null) fail(d, `No script set for vrrp_script ${name}`);
  if (script !== null && http !== null) fail(d, `vrrp_script ${name} has both script and http_check`);
  const interval = s.last<number>("interval") ?? 1000;
  const timeout = s.last<number>("timeout") ?? interval;
  return {
    name,
    script,
    httpCheck: http && { url: http.url, status: http.status, timeout: http.timeout ?? timeout },
    interval,
    timeout,
    weight: s.last<number>("weight") ?? 0,
    rise: s.last<number>("rise") ?? 1,
    fall: s.last<number>("fall") ?? 1,
    user: s.last<{ user: string; group: string | null }>("user") ?? null,
    pos: posOf(d),
  };
}

/** `NAME [weight N]` lines of track_script / track_interface. */
function tracked(
  i: KaScope,
  key: string,
  check: (e: ConfDirective) => void,
): { name: string; weight: number | null }[] {
  const owner = i.blockValue as string;
  return entries(i, key).map((e) => {
    check(e);
    let weight: number | null = null;
    if (e.args.length > 0) {
      if (e.args[0] !== "weight" || e.args.length < 2) fail(e, `Unknown keyword '${e.args[0]}'`);
      weight = parseInteger(e.args[1]);
      if (weight === null || weight < -253 || weight > 253) {
        fail(e, `(${owner}) weight ${e.args[1]} for ${e.name} must be between [-253..253] inclusive`);
      }
      if (e.args.length > 3 || (e.args.length === 3 && e.args[2] !== "reverse")) {
        fail(e, `Unknown keyword '${e.args[2]}'`);
      }
      if (e.args[2] === "reverse") weight = -weight;
    }
    return { name: e.name, weight };
  });
}

function resolveInstance(
  i: KaScope,
  global: GlobalDefs,
  scripts: ReadonlyMap<string, VrrpScriptConfig>,
): VrrpInstanceConfig {
  const d = i.directive!;
  const name = i.blockValue as string;
  const vrid = i.last<number>("virtual_router_id")!;
  const iface = i.last<string>("interface");
  if (iface === undefined) fail(d, `(${name}) Unknown interface!`);
  const auth = i.childrenOf("authentication");
  const authType = lastOf<"PASS" | "AH">(auth, "auth_type");
  const peers = entries(i, "unicast_peer").map((e) => {
    if (isIP(e.name) === 0 || e.args.length > 0) {
      fail(e, `Configuration error: VRRP instance[${name}] malformed unicast peer address[${e.name}]`);
    }
    return e.name;
  });
  return {
    name,
    state: i.last<"MASTER" | "BACKUP">("state") ?? "BACKUP",
    interface: iface,
    virtualRouterId: vrid,
    priority: i.last<number>("priority") ?? 100,
    advertInt: i.last<number>("advert_int") ?? 1000,
    version: i.last<2 | 3>("version") ?? global.vrrpVersion,
    auth: authType ? { type: authType, pass: lastOf<string>(auth, "auth_pass") ?? "" } : null,
    virtualIpaddress: entries(i, "virtual_ipaddress").map(virtualAddress),
    trackScript: tracked(i, "track_script", (e) => {
      if (!scripts.has(e.name)) fail(e, `(${name}) track script ${e.name} not found`);
    }),
    trackInterface: tracked(i, "track_interface", () => {}),
    notifyMaster: i.last<string>("notify_master") ?? null,
    notifyBackup: i.last<string>("notify_backup") ?? null,
    notifyFault: i.last<string>("notify_fault") ?? null,
    notifyStop: i.last<string>("notify_stop") ?? null,
    notify: i.last<string>("notify") ?? null,
    smtpAlert: i.last<boolean>("smtp_alert") ?? null,
    nopreempt: i.has("nopreempt"),
    preemptDelay: i.last<number>("preempt_delay") ?? 0,
    unicastSrcIp: i.last<string>("unicast_src_ip") ?? null,
    unicastPeer: peers,
    garpMasterDelay: i.last<number>("garp_master_delay") ?? 5000,
    garpMasterRepeat: i.last<number>("garp_master_repeat") ?? 5,
    garpMasterRefresh: i.last<number>("garp_master_refresh") ?? 0,
    garpMasterRefreshRepeat: i.last<number>("garp_master_refresh_repeat") ?? 1,
    higherPrioSendAdvert: i.last<boolean>("higher_prio_send_advert") ?? false,
    pos: posOf(d),
  };
}
