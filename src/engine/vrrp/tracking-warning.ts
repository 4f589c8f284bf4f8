/**
 * The warning no keepalived gives: a tracked check whose weight cannot bring
 * the master's priority below its backup's, so the VIP never moves when the
 * check fails (the guide's own example: priority 150, `weight -20`, backup
 * 100 → 130 > 100). `onair vrrp -t` prints `analyzeWeightWarnings()`; at run
 * time the tracker logs `stuckMasterWarning()` once per failure episode.
 */
import type { KeepalivedConfig, VrrpInstanceConfig } from "../../config/types.js";
import { effectivePriority, type TrackVerdict, VRRP_PRIO_OWNER } from "./tracking.js";

/** keepalived's default `priority`, and the guide's backup node. */
export const DEFAULT_BACKUP_PRIORITY = 100;

export interface WeightWarning {
  instance: string;
  kind: "script" | "interface";
  track: string;
  weight: number;
  message: string;
}

export interface WeightWarningOptions {
  /** Priority assumed for the backup when the config names none (default 100). */
  backupPriority?: number;
}

interface PeerGuess {
  priority: number;
  /** How we know it, for the message. */
  source: string;
}

/** The highest backup priority below this instance's, from the same file or the usual default. */
function peerFor(
  config: KeepalivedConfig,
  inst: VrrpInstanceConfig,
  opts: WeightWarningOptions,
): PeerGuess | null {
  const sameVrid = config.instances.filter(
    (o) => o !== inst && o.virtualRouterId === inst.virtualRouterId && o.interface === inst.interface,
  );
  const below = sameVrid.map((o) => o.priority).filter((p) => p < inst.priority);
  if (below.length > 0) {
    const p = Math.max(...below);
    const other = sameVrid.find((o) => o.priority === p)!;
    return { priority: p, source: `vrrp_instance ${other.name} (same virtual_router_id)` };
  }
  if (sameVrid.length > 0) return null;
  const p = opts.backupPriority ?? DEFAULT_BACKUP_PRIORITY;
  if (p >= inst.priority) return null;
  const who = inst.unicastPeer.length ? `unicast_peer ${inst.unicastPeer.join(", ")}` : "the backup";
  const how = opts.backupPriority === undefined ? "assumed: keepalived's default priority" : "given";
  return { priority: p, source: `${who} (${how})` };
}

function where(inst: VrrpInstanceConfig): string {
  return `${inst.pos.file}:${inst.pos.line}`;
}

function checkOne(
  inst: VrrpInstanceConfig,
  peer: PeerGuess,
  kind: "script" | "interface",
  track: string,
  weight: number,
): WeightWarning | null {
  const label = kind === "script" ? `track_script ${track}` : `track_interface ${track}`;
  const P = inst.priority;
  if (weight < 0) {
    const failing = effectivePriority(P, weight);
    if (failing < peer.priority) return null;
    const need = peer.priority - P - 1;
    return {
      instance: inst.name,
      kind,
      track,
      weight,
      message:
        `${where(inst)}: vrrp_instance ${inst.name} ${label} weight ${weight}: a failure lowers priority ${P} ` +
        `only to ${failing}, not below ${peer.priority} of ${peer.source}, so the VIP never moves when it fails; ` +
        `use weight ${need} or lower, or weight 0 to enter FAULT`,
    };
  }
  if (weight > 0) {
    // Assume the peer runs the same check with the same weight and is healthy.
    const peerHealthy = effectivePriority(peer.priority, weight);
    if (P < peerHealthy) return null;
    const need = P - peer.priority + 1;
    return {
      instance: inst.name,
      kind,
      track,
      weight,
      message:
        `${where(inst)}: vrrp_instance ${inst.name} ${label} weight ${weight}: while it fails, priority ${P} stays ` +
        `above ${peerHealthy} of ${peer.source} with the same check healthy, so the VIP never moves; ` +
        `use weight ${need} or more, or weight 0 to enter FAULT`,
    };
  }
  return null;
}

/** Static analysis over a parsed config: one warning per (instance, tracked item) that cannot move the VIP. */
export function analyzeWeightWarnings(
  config: KeepalivedConfig,
  opts: WeightWarningOptions = {},
): WeightWarning[] {
  const out: WeightWarning[] = [];
  for (const inst of config.instances) {
    const tracks: { kind: "script" | "interface"; name: string; weight: number }[] = [];
    for (const ts of inst.trackScript) {
      const sc = config.scripts.get(ts.name);
      if (sc) tracks.push({ kind: "script", name: ts.name, weight: ts.weight ?? sc.weight });
    }
    for (const ti of inst.trackInterface)
      tracks.push({ kind: "interface", name: ti.name, weight: ti.weight ?? 0 });
    if (inst.priority >= VRRP_PRIO_OWNER) {
      for (const t of tracks.filter((t) => t.weight !== 0)) {
        out.push({
          instance: inst.name,
          kind: t.kind,
          track: t.name,
          weight: t.weight,
          message:
            `${where(inst)}: vrrp_instance ${inst.name} has priority 255 (address owner): the weight ${t.weight} of ` +
            `${t.name} never changes it; use weight 0 to enter FAULT`,
        });
      }
      continue;
    }
    const peer = peerFor(config, inst, opts);
    if (!peer) continue;
    for (const t of tracks) {
      const w = checkOne(inst, peer, t.kind, t.name, t.weight);
      if (w) out.push(w);
    }
  }
  return out;
}

export interface HeardPeer {
  priority: number;
  /** Address the priority was heard from, or null when assumed. */
  address: string | null;
}

/**
 * The run-time line: a weighted check is failing, the instance is MASTER and
 * its effective priority is still above the peer's, so nothing will move.
 * Returns null when there is nothing to say.
 */
export function stuckMasterWarning(verdict: TrackVerdict, state: string, peer: HeardPeer): string | null {
  if (state !== "MASTER" || verdict.fault !== null) return null;
  const weighted = verdict.failing.filter((f) => f.weight !== 0);
  if (weighted.length === 0) return null;
  if (verdict.effectivePriority <= peer.priority) return null;
  const what = weighted
    .map((f) => `${f.kind === "script" ? "vrrp_script" : "interface"} ${f.name} (weight ${f.weight})`)
    .join(", ");
  const from = peer.address
    ? `heard from ${peer.address}`
    : `assumed for the backup (none heard; keepalived's default)`;
  return (
    `(${verdict.instance}) ${what} failing but still MASTER at priority ${verdict.effectivePriority}, ` +
    `above the priority ${peer.priority} ${from}: the VIP will not move (see onair vrrp -t)`
  );
}

/**
 * Mail set up but never sent (keepalived is silent about both): section C.4
 * of the guide sets notification_email and smtp_server but no smtp_alert, so
 * keepalived (and onair) send nothing; or smtp_alert is on with nowhere to send.
 */
export function smtpAlertWarnings(config: KeepalivedConfig): string[] {
  const g = config.globalDefs;
  const at = g.pos ? `${g.pos.file}:${g.pos.line}: ` : `${config.file}: `;
  const alerting = config.instances.filter((i) => i.smtpAlert ?? g.smtpAlert);
  const canMail = g.smtpServer !== null && g.notificationEmail.length > 0;
  if (canMail && alerting.length === 0 && config.instances.length > 0) {
    return [
      `${at}global_defs sets notification_email and smtp_server but no vrrp_instance has smtp_alert: ` +
        "no e-mail is sent (as keepalived); add `smtp_alert` to global_defs or to the vrrp_instance",
    ];
  }
  if (!canMail && alerting.length > 0) {
    const missing = g.smtpServer === null ? "smtp_server" : "notification_email";
    return [
      `${at}smtp_alert is on for ${alerting.map((i) => i.name).join(", ")} but global_defs has no ${missing}: ` +
        "no e-mail is sent",
    ];
  }
  return [];
}

/** Every health/notify warning `onair vrrp -t` prints, one line each. */
export function healthConfigWarnings(config: KeepalivedConfig, opts: WeightWarningOptions = {}): string[] {
  return [...analyzeWeightWarnings(config, opts).map((w) => w.message), ...smtpAlertWarnings(config)];
}
