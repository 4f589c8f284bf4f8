/**
 * Prints a KeepalivedConfig as a keepalived-style file that parses back to
 * the same config (every value explicit).
 */
import type { GlobalDefs, KeepalivedConfig, VrrpInstanceConfig, VrrpScriptConfig } from "./types.js";

/** A word keepalived reads back as one: bare when plain, else double-quoted (no escapes exist). */
export function quoteKeepalived(s: string): string {
  if (/^[^\s"{}#!]+$/.test(s)) return s;
  return `"${s}"`;
}

const secs = (ms: number): string => String(ms / 1000);

class Out {
  readonly lines: string[] = [];
  private depth = 0;

  line(...words: (string | number)[]): void {
    this.lines.push(`${"    ".repeat(this.depth)}${words.map((w) => quoteKeepalived(String(w))).join(" ")}`);
  }

  block(head: string[], body: () => void): void {
    this.lines.push(`${"    ".repeat(this.depth)}${[...head.map(quoteKeepalived), "{"].join(" ")}`);
    this.depth++;
    body();
    this.depth--;
    this.lines.push(`${"    ".repeat(this.depth)}}`);
  }
}

export function printKeepalivedConfig(cfg: KeepalivedConfig): string {
  const o = new Out();
  o.block(["global_defs"], () => printGlobal(o, cfg.globalDefs));
  for (const s of cfg.scripts.values()) o.block(["vrrp_script", s.name], () => printScript(o, s));
  for (const i of cfg.instances) o.block(["vrrp_instance", i.name], () => printInstance(o, i));
  return `${o.lines.join("\n")}\n`;
}

function printGlobal(o: Out, g: GlobalDefs): void {
  o.line("router_id", g.routerId);
  if (g.notificationEmail.length)
    o.block(["notification_email"], () => {
      for (const e of g.notificationEmail) o.line(e);
    });
  if (g.notificationEmailFrom !== null) o.line("notification_email_from", g.notificationEmailFrom);
  if (g.smtpServer) o.line("smtp_server", g.smtpServer.host, g.smtpServer.port);
  o.line("smtp_connect_timeout", g.smtpConnectTimeout / 1000);
  o.line("vrrp_version", g.vrrpVersion);
  if (g.scriptUser)
    o.line("script_user", g.scriptUser.user, ...(g.scriptUser.group ? [g.scriptUser.group] : []));
  if (g.enableScriptSecurity) o.line("enable_script_security");
  o.line("smtp_alert", g.smtpAlert ? "true" : "false");
}

function printScript(o: Out, s: VrrpScriptConfig): void {
  if (s.script !== null) o.line("script", s.script);
  if (s.httpCheck) {
    o.line("http_check", s.httpCheck.url, "status", s.httpCheck.status, "timeout", secs(s.httpCheck.timeout));
  }
  o.line("interval", secs(s.interval));
  o.line("timeout", secs(s.timeout));
  o.line("weight", s.weight);
  o.line("rise", s.rise);
  o.line("fall", s.fall);
  if (s.user) o.line("user", s.user.user, ...(s.user.group ? [s.user.group] : []));
}

function printInstance(o: Out, i: VrrpInstanceConfig): void {
  o.line("state", i.state);
  o.line("interface", i.interface);
  o.line("virtual_router_id", i.virtualRouterId);
  o.line("priority", i.priority);
  o.line("advert_int", secs(i.advertInt));
  o.line("version", i.version);
  const auth = i.auth;
  if (auth) {
    o.block(["authentication"], () => {
      o.line("auth_type", auth.type);
      o.line("auth_pass", auth.pass);
    });
  }
  o.block(["virtual_ipaddress"], () => {
    for (const v of i.virtualIpaddress)
      o.line(`${v.address}/${v.prefixLen}`, ...(v.dev ? ["dev", v.dev] : []));
  });
  const tracks = (key: string, list: { name: string; weight: number | null }[]) => {
    if (list.length === 0) return;
    o.block([key], () => {
      for (const t of list) o.line(t.name, ...(t.weight === null ? [] : ["weight", t.weight]));
    });
  };
  tracks("track_script", i.trackScript);
  tracks("track_interface", i.trackInterface);
  const notify: [string, string | null][] = [
    ["notify_master", i.notifyMaster],
    ["notify_backup", i.notifyBackup],
    ["notify_fault", i.notifyFault],
    ["notify_stop", i.notifyStop],
    ["notify", i.notify],
  ];
  for (const [k, v] of notify) if (v !== null) o.line(k, v);
  if (i.smtpAlert !== null) o.line("smtp_alert", i.smtpAlert ? "true" : "false");
  if (i.nopreempt) o.line("nopreempt");
  o.line("preempt_delay", secs(i.preemptDelay));
  if (i.unicastSrcIp !== null) o.line("unicast_src_ip", i.unicastSrcIp);
  if (i.unicastPeer.length) {
    o.block(["unicast_peer"], () => {
      for (const p of i.unicastPeer) o.line(p);
    });
  }
  o.line("garp_master_delay", i.garpMasterDelay / 1000);
  o.line("garp_master_repeat", i.garpMasterRepeat);
  o.line("garp_master_refresh", i.garpMasterRefresh / 1000);
  o.line("garp_master_refresh_repeat", i.garpMasterRefreshRepeat);
  o.line("higher_prio_send_advert", i.higherPrioSendAdvert ? "true" : "false");
}
