/**
 * Fans each instance state change out to its sinks, as keepalived's
 * send_instance_notifies(): the notify_STATE script with its configured
 * arguments, then the generic `notify` script with keepalived's four extra
 * arguments (`INSTANCE NAME STATE PRIORITY`, e.g. `INSTANCE VI_1 MASTER 150`),
 * then the SMTP alert when `smtp_alert` is on. Scripts of one instance run in
 * transition order (a queue per instance); nothing here ever blocks the
 * state machine.
 */
import type { KeepalivedConfig, VrrpInstanceConfig } from "../../../config/types.js";
import type { Logger } from "../../../util/logger.js";
import { splitCommandLine } from "../checks/command-line.js";
import { type ScriptIdentity, scriptIdentity } from "../checks/script-user.js";
import type { VrrpDaemonHooks, VrrpStateEvent } from "../tracker.js";
import { type NotifyJob, NotifyQueue } from "./notify-queue.js";
import { SmtpAlerter, type SmtpAlertOptions } from "./smtp-alert.js";

/** Default bound on one notify script's run (keepalived has none; a hung script is killed here). */
export const NOTIFY_TIMEOUT_MS = 10_000;
/** How long stop() lets STOP notifies and mail finish (keepalived waits 1 s for notify_stop). */
export const NOTIFY_STOP_BOUND_MS = 2_000;

export interface NotifyOptions {
  timeoutMs?: number;
  stopBoundMs?: number;
  smtp?: SmtpAlertOptions;
}

export interface NotifyHandle {
  /** Handles one state change (what the daemon's "state" event calls); returns at once. */
  onState(ev: VrrpStateEvent): void;
  /** Resolves when every queued script has run (tests). */
  idle(boundMs?: number): Promise<void>;
  stop(): Promise<void>;
  counters(): Record<string, number>;
}

const STATES = new Set(["MASTER", "BACKUP", "FAULT", "STOP"]);

function specificScript(inst: VrrpInstanceConfig, state: string): { kind: string; line: string | null } {
  switch (state) {
    case "MASTER":
      return { kind: "notify_master", line: inst.notifyMaster };
    case "BACKUP":
      return { kind: "notify_backup", line: inst.notifyBackup };
    case "FAULT":
      return { kind: "notify_fault", line: inst.notifyFault };
    default:
      return { kind: "notify_stop", line: inst.notifyStop };
  }
}

/** The jobs keepalived would run for `inst` entering `state` at `priority`. */
export function notifyJobs(inst: VrrpInstanceConfig, state: string, priority: number): NotifyJob[] {
  if (!STATES.has(state)) return [];
  const jobs: NotifyJob[] = [];
  const s = specificScript(inst, state);
  if (s.line) jobs.push({ kind: s.kind, argv: splitCommandLine(s.line) });
  if (inst.notify) {
    jobs.push({
      kind: "notify",
      argv: [...splitCommandLine(inst.notify), "INSTANCE", inst.name, state, String(priority)],
    });
  }
  return jobs;
}

export function attachNotify(
  daemon: Pick<VrrpDaemonHooks, "on">,
  config: KeepalivedConfig,
  log: Logger,
  opts: NotifyOptions = {},
): NotifyHandle {
  let identity: ScriptIdentity | null = null;
  try {
    identity = scriptIdentity(null, config.globalDefs.scriptUser);
  } catch (e) {
    log.error(`notify scripts disabled: ${(e as Error).message}`);
  }
  const queues = new Map<string, NotifyQueue>();
  const queueFor = (name: string) => {
    let q = queues.get(name);
    if (!q && identity) {
      q = new NotifyQueue({ instance: name, identity, timeoutMs: opts.timeoutMs ?? NOTIFY_TIMEOUT_MS, log });
      queues.set(name, q);
    }
    return q;
  };
  const mailer = SmtpAlerter.create(config.globalDefs, log, opts.smtp);
  const mailOn = (inst: VrrpInstanceConfig) =>
    mailer !== null && (inst.smtpAlert ?? config.globalDefs.smtpAlert);

  const onState = (ev: VrrpStateEvent) => {
    const inst = ev.instance;
    try {
      const jobs = notifyJobs(inst, ev.to, ev.priority);
      if (jobs.length) queueFor(inst.name)?.enqueue(jobs);
    } catch (e) {
      log.error(`(${inst.name}) notify script not run: ${(e as Error).message}`);
    }
    if (mailOn(inst)) mailer!.alert(inst.name, ev.to);
  };
  daemon.on("state", onState);

  return {
    onState,
    async idle(boundMs = 60_000) {
      await Promise.all([...queues.values()].map((q) => q.idle(boundMs)));
    },
    async stop() {
      const bound = opts.stopBoundMs ?? NOTIFY_STOP_BOUND_MS;
      await Promise.all([...[...queues.values()].map((q) => q.close(bound)), mailer?.close(bound)]);
    },
    counters() {
      const c: Record<string, number> = {
        notify_run: 0,
        notify_failed: 0,
        notify_timed_out: 0,
        notify_dropped: 0,
      };
      for (const q of queues.values()) {
        c.notify_run! += q.counters.run;
        c.notify_failed! += q.counters.failed;
        c.notify_timed_out! += q.counters.timedOut;
        c.notify_dropped! += q.counters.dropped;
      }
      if (mailer) {
        c.smtp_sent = mailer.counters.sent;
        c.smtp_failed = mailer.counters.failed;
        c.smtp_retried = mailer.counters.retried;
      }
      return c;
    },
  };
}
