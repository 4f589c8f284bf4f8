/**
 * The signals onair understands, as nginx's master process does, and sending
 * them to a running instance (`onair -s NAME`).
 */
import { PidFileError, readPidFile } from "./pid-file.js";
import { describeSysError } from "./sys-error.js";

export type ControlAction = "stop" | "quit" | "reload" | "reopen";

/** `-s NAME` → the signal sent (nginx's mapping). */
export const ACTION_SIGNALS: Readonly<Record<ControlAction, NodeJS.Signals>> = {
  stop: "SIGTERM",
  quit: "SIGQUIT",
  reload: "SIGHUP",
  reopen: "SIGUSR1",
};

/** Signal received → what the running instance does. SIGINT is a stop, as in nginx. */
export const SIGNAL_ACTIONS: Readonly<Partial<Record<NodeJS.Signals, ControlAction>>> = {
  SIGTERM: "stop",
  SIGINT: "stop",
  SIGQUIT: "quit",
  SIGHUP: "reload",
  SIGUSR1: "reopen",
};

/** Linux signal numbers, for nginx's `signal 1 (SIGHUP) received` wording. */
export const SIGNAL_NUMBERS: Readonly<Partial<Record<NodeJS.Signals, number>>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGUSR1: 10,
  SIGTERM: 15,
};

export function isControlAction(s: string): s is ControlAction {
  return s === "stop" || s === "quit" || s === "reload" || s === "reopen";
}

/**
 * Reads the pid file and signals that process. Throws PidFileError with
 * nginx's wording: `open() "PATH" failed (2: ...)`, `invalid PID number`, or
 * `kill(PID, N) failed (3: No such process)` (level alert).
 */
export function signalRunning(pidFile: string, action: ControlAction): number {
  const pid = readPidFile(pidFile);
  const sig = ACTION_SIGNALS[action];
  try {
    process.kill(pid, sig);
  } catch (err) {
    throw new PidFileError(
      "ONAIR_SIGNAL_FAILED",
      `kill(${pid}, ${SIGNAL_NUMBERS[sig]}) failed ${describeSysError(err)}`,
      "alert",
      pidFile,
    );
  }
  return pid;
}
