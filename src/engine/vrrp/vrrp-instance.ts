/**
 * One VRRP instance as a pure state machine: `step(params, state, event, now)`
 * returns the next state and the actions the server layer performs (send an
 * advert, add or remove the virtual addresses, gratuitous ARPs, report the
 * transition). RFC 5798 §6.4 with keepalived's choices (vrrp.c
 * vrrp_state_backup / vrrp_state_master_rx):
 * - start in BACKUP even with `state MASTER` (only an address owner, priority
 *   255, goes straight to MASTER, §6.4.1);
 * - `nopreempt` and `preempt_delay` only count with initial state BACKUP;
 * - preempt_delay starts at the first lower-priority advert and lasts while
 *   such adverts keep coming (keepalived's preempt_time);
 * - a master hearing a lower priority answers at once with its advert, and
 *   (issue 7) gratuitous ARPs; a master yielding to a higher priority sends
 *   one last advert at its own priority before it steps down (keepalived's
 *   `higher_prio_send_advert`, always on in onair) and removes its VIPs in the
 *   same step: whichever of two masters hears the other first when a partition
 *   heals, the winner answers with its advert and ARPs at once;
 * - the last priority and source heard from a peer are kept (`peerPriority`,
 *   `peerAddress`) for status and the stuck-master warning: a master never
 *   hears a lower-priority backup (backups are silent), so what a backup heard
 *   is kept after it becomes master;
 * - FAULT: priority-0 advert if master, VIPs removed, silence until cleared.
 */
import { effectivePriority, masterDownInterval, skewTime } from "./vrrp-timers.js";

export type VrrpStateName = "INIT" | "BACKUP" | "MASTER" | "FAULT" | "STOP";

export interface InstanceParams {
  name: string;
  version: 2 | 3;
  basePriority: number;
  /** ms */
  adverInt: number;
  initialState: "MASTER" | "BACKUP";
  nopreempt: boolean;
  /** ms */
  preemptDelay: number;
  /** ms, 0 = no second burst */
  garpMasterDelay: number;
  /** ms, 0 = off */
  garpMasterRefresh: number;
  /** Our primary (or unicast source) address, unsigned 32-bit: breaks equal-priority ties. */
  primaryAddress: number;
  /**
   * keepalived's higher_prio_send_advert. Accepted for compatibility; onair always sends the last
   * advert when it yields (issue 7), so the value changes nothing.
   */
  higherPrioSendAdvert?: boolean;
}

export interface InstanceState {
  state: VrrpStateName;
  trackDelta: number;
  fault: string | null;
  /** ms; v3 adopts the master's interval while BACKUP. */
  masterAdverInt: number;
  masterDownAt: number | null;
  adverAt: number | null;
  garpDelayAt: number | null;
  garpRefreshAt: number | null;
  /** keepalived's preempt_time: 0 = not started. */
  preemptAt: number;
  /** Source of the last accepted advert (unsigned 32-bit) or null. */
  masterAddress: number | null;
  /** Last non-zero priority heard from a peer (any state), kept until another is heard; null = never. */
  peerPriority: number | null;
  /** Source of that advert (unsigned 32-bit) or null. */
  peerAddress: number | null;
}

export type VrrpEvent =
  | { type: "start" }
  | { type: "advert"; priority: number; adverInt: number; src: number }
  | { type: "timer" }
  | { type: "track"; delta: number }
  | { type: "fault"; reason: string | null }
  | { type: "shutdown" };

export type VrrpAction =
  | { type: "send-advert"; priority: number }
  | { type: "add-vips" }
  | { type: "remove-vips" }
  /** Gratuitous ARPs: `master` on taking over (and garp_master_delay later), `refresh` periodic, `assert` to a lower-priority master. */
  | { type: "garp"; kind: "master" | "refresh" | "assert" }
  | { type: "transition"; from: VrrpStateName; to: VrrpStateName; reason: string; priority: number };

export interface StepResult {
  state: InstanceState;
  actions: VrrpAction[];
}

export function initialInstanceState(p: InstanceParams): InstanceState {
  return {
    state: "INIT",
    trackDelta: 0,
    fault: null,
    masterAdverInt: p.adverInt,
    masterDownAt: null,
    adverAt: null,
    garpDelayAt: null,
    garpRefreshAt: null,
    preemptAt: 0,
    masterAddress: null,
    peerPriority: null,
    peerAddress: null,
  };
}

export function priorityOf(p: InstanceParams, s: InstanceState): number {
  return effectivePriority(p.basePriority, s.trackDelta);
}

/** The earliest pending deadline (ms), or null when nothing is scheduled. */
export function nextDeadline(s: InstanceState): number | null {
  let d: number | null = null;
  for (const t of [s.masterDownAt, s.adverAt, s.garpDelayAt, s.garpRefreshAt]) {
    if (t !== null && (d === null || t < d)) d = t;
  }
  return d;
}

const preemptOff = (p: InstanceParams) => p.initialState === "BACKUP" && p.nopreempt;
const preemptDelayOf = (p: InstanceParams) => (p.initialState === "BACKUP" ? p.preemptDelay : 0);

export function step(p: InstanceParams, s: InstanceState, ev: VrrpEvent, now: number): StepResult {
  const out: StepResult = { state: { ...s }, actions: [] };
  switch (ev.type) {
    case "start":
      if (s.state === "INIT") startUp(p, out, now);
      break;
    case "advert":
      if (ev.priority > 0 && (s.state === "BACKUP" || s.state === "MASTER")) {
        out.state.peerPriority = ev.priority;
        out.state.peerAddress = ev.src >>> 0;
      }
      if (out.state.state === "BACKUP") backupAdvert(p, out, ev, now);
      else if (out.state.state === "MASTER") masterAdvert(p, out, ev, now);
      break;
    case "timer":
      onTimer(p, out, now);
      break;
    case "track":
      out.state.trackDelta = ev.delta;
      break;
    case "fault":
      onFault(p, out, ev.reason, now);
      break;
    case "shutdown":
      if (s.state === "MASTER") leaveMaster(p, out, true);
      if (s.state !== "STOP") moveTo(p, out, "STOP", "shutdown");
      clearTimers(out.state);
      break;
  }
  return out;
}

function moveTo(p: InstanceParams, out: StepResult, to: VrrpStateName, reason: string): void {
  const from = out.state.state;
  out.state.state = to;
  out.actions.push({ type: "transition", from, to, reason, priority: priorityOf(p, out.state) });
}

function clearTimers(s: InstanceState): void {
  s.masterDownAt = null;
  s.adverAt = null;
  s.garpDelayAt = null;
  s.garpRefreshAt = null;
}

function startUp(p: InstanceParams, out: StepResult, now: number): void {
  if (out.state.fault !== null) {
    moveTo(p, out, "FAULT", out.state.fault);
    return;
  }
  // RFC 5798 §6.4.1: the address owner becomes master at once; everyone else waits as backup.
  if (p.basePriority === 255) becomeMaster(p, out, now, "address owner");
  else enterBackup(p, out, now, "init");
}

function enterBackup(p: InstanceParams, out: StepResult, now: number, reason: string): void {
  const s = out.state;
  clearTimers(s);
  s.masterAdverInt = p.version === 3 && s.masterAdverInt > 0 ? s.masterAdverInt : p.adverInt;
  s.masterDownAt = now + masterDownInterval(p.version, priorityOf(p, s), s.masterAdverInt);
  moveTo(p, out, "BACKUP", reason);
}

function becomeMaster(p: InstanceParams, out: StepResult, now: number, reason: string): void {
  const s = out.state;
  clearTimers(s);
  s.masterAdverInt = p.adverInt;
  s.preemptAt = 0;
  // keepalived sends the advert first so the old master drops the VIPs before our ARPs.
  out.actions.push({ type: "send-advert", priority: priorityOf(p, s) });
  moveTo(p, out, "MASTER", reason);
  out.actions.push({ type: "add-vips" }, { type: "garp", kind: "master" });
  s.adverAt = now + p.adverInt;
  if (p.garpMasterDelay > 0) s.garpDelayAt = now + p.garpMasterDelay;
  if (p.garpMasterRefresh > 0) s.garpRefreshAt = now + p.garpMasterRefresh;
}

function leaveMaster(p: InstanceParams, out: StepResult, sendZero: boolean): void {
  if (sendZero) out.actions.push({ type: "send-advert", priority: 0 });
  out.actions.push({ type: "remove-vips" });
  void p;
}

function backupAdvert(
  p: InstanceParams,
  out: StepResult,
  ev: { priority: number; adverInt: number; src: number },
  now: number,
): void {
  const s = out.state;
  const mine = priorityOf(p, s);
  if (ev.priority === 0) {
    // RFC 5798 §6.4.2: the master stopped; take over after Skew_Time alone.
    s.masterDownAt = now + skewTime(p.version, mine, s.masterAdverInt);
    return;
  }
  const delay = preemptDelayOf(p);
  const holding = delay > 0 && (s.preemptAt === 0 || s.preemptAt > now);
  if (preemptOff(p) || ev.priority >= mine || holding) {
    if (p.version === 3 && ev.adverInt > 0) s.masterAdverInt = ev.adverInt;
    s.masterDownAt = now + masterDownInterval(p.version, mine, s.masterAdverInt);
    s.masterAddress = ev.src;
    if (delay > 0) {
      if (ev.priority >= mine) s.preemptAt = 0;
      else if (s.preemptAt === 0) s.preemptAt = now + delay;
    }
  }
  // else: lower priority and preemption allowed: discard, the timer runs out (§6.4.2).
}

function masterAdvert(
  p: InstanceParams,
  out: StepResult,
  ev: { priority: number; adverInt: number; src: number },
  now: number,
): void {
  const s = out.state;
  const mine = priorityOf(p, s);
  if (ev.priority === 0) {
    // RFC 5798 §6.4.3: answer a stopping master at once.
    out.actions.push({ type: "send-advert", priority: mine });
    s.adverAt = now + p.adverInt;
    return;
  }
  const theyWin = ev.priority > mine || (ev.priority === mine && ev.src >>> 0 > p.primaryAddress >>> 0);
  if (theyWin) {
    // Issue 7: one last advert at our priority, so a winner that has not heard us yet (its advert
    // reached us first when a partition healed) answers at once with its advert and gratuitous
    // ARPs; then the VIPs go in the same step. keepalived does this only with higher_prio_send_advert.
    out.actions.push({ type: "send-advert", priority: mine });
    leaveMaster(p, out, false);
    s.masterAddress = ev.src;
    clearTimers(s);
    if (p.version === 3 && ev.adverInt > 0) s.masterAdverInt = ev.adverInt;
    s.masterDownAt = now + masterDownInterval(p.version, mine, s.masterAdverInt);
    moveTo(
      p,
      out,
      "BACKUP",
      ev.priority > mine ? "higher priority advert" : "equal priority, higher address",
    );
    return;
  }
  // Lower priority (or equal with a lower address): assert ourselves at once, adverts and ARPs.
  out.actions.push({ type: "send-advert", priority: mine }, { type: "garp", kind: "assert" });
  s.adverAt = now + p.adverInt;
}

function onTimer(p: InstanceParams, out: StepResult, now: number): void {
  const s = out.state;
  if (s.state === "BACKUP" && s.masterDownAt !== null && s.masterDownAt <= now) {
    becomeMaster(p, out, now, "master down timer expired");
    return;
  }
  if (s.state !== "MASTER") return;
  if (s.adverAt !== null && s.adverAt <= now) {
    out.actions.push({ type: "send-advert", priority: priorityOf(p, s) });
    s.adverAt = Math.max(s.adverAt + p.adverInt, now + 1);
  }
  if (s.garpDelayAt !== null && s.garpDelayAt <= now) {
    out.actions.push({ type: "garp", kind: "master" });
    s.garpDelayAt = null;
  }
  if (s.garpRefreshAt !== null && s.garpRefreshAt <= now) {
    out.actions.push({ type: "garp", kind: "refresh" });
    s.garpRefreshAt = now + p.garpMasterRefresh;
  }
}

function onFault(p: InstanceParams, out: StepResult, reason: string | null, now: number): void {
  const s = out.state;
  const was = s.state;
  s.fault = reason;
  if (reason !== null) {
    if (was === "FAULT" || was === "INIT" || was === "STOP") return;
    if (was === "MASTER") leaveMaster(p, out, true);
    clearTimers(s);
    moveTo(p, out, "FAULT", reason);
    return;
  }
  if (was !== "FAULT") return;
  if (p.basePriority === 255) becomeMaster(p, out, now, "fault cleared, address owner");
  else enterBackup(p, out, now, "fault cleared");
}
