/**
 * The pid file: written at start (refusing if another live onair holds it),
 * removed at exit, read by `onair -s SIGNAL`. Errors are worded as nginx's.
 */
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { OnairError } from "../../util/errors.js";
import { ensureParentDir } from "../log/log-file.js";
import { hasCode, syscallFailed } from "./sys-error.js";

export class PidFileError extends OnairError {
  /** nginx's level for this failure ("emerg" at start, "error"/"alert" for -s). */
  readonly level: "emerg" | "error" | "alert";
  constructor(code: string, message: string, level: "emerg" | "error" | "alert", path: string) {
    super(code, message, { path });
    this.level = level;
  }
}

/** Reads the pid a running onair wrote; throws PidFileError as `nginx -s` words it. */
export function readPidFile(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch (err) {
    throw new PidFileError("ONAIR_PID_FILE_OPEN", syscallFailed("open", path, err), "error", path);
  }
  const value = text.replace(/[\r\n]+$/, "");
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) <= 0 || Number(value) > 0x7fffffff) {
    throw new PidFileError(
      "ONAIR_PID_FILE_INVALID",
      `invalid PID number "${value}" in "${path}"`,
      "error",
      path,
    );
  }
  return Number(value);
}

/** True if a process with that pid exists (even one we may not signal). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return hasCode(err, "EPERM");
  }
}

/**
 * Whether `pid` looks like an onair process. Where /proc is readable this
 * tells a live onair from a stale pid file whose number was reused by some
 * other program; elsewhere any live process counts.
 */
function looksLikeOnair(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1");
  } catch {
    return true;
  }
  return cmdline.split("\0").some((arg) => basename(arg) === "onair" || /(^|\/)cli\/main\.[jt]s$/.test(arg));
}

/** The pid of another running onair that holds `path`, or null. */
export function otherInstance(path: string): number | null {
  let pid: number;
  try {
    pid = readPidFile(path);
  } catch {
    return null;
  }
  if (pid === process.pid) return null;
  return processAlive(pid) && looksLikeOnair(pid) ? pid : null;
}

/**
 * Writes our pid to `path` (creating its folder). Refuses with a one-line
 * PidFileError if another live onair holds it.
 */
export function writePidFile(path: string, pid: number = process.pid): void {
  const other = otherInstance(path);
  if (other !== null) {
    throw new PidFileError(
      "ONAIR_ALREADY_RUNNING",
      `another onair (pid ${other}) is running with pid file ${path}`,
      "emerg",
      path,
    );
  }
  try {
    ensureParentDir(path);
    writeFileSync(path, `${pid}\n`, { mode: 0o644 });
  } catch (err) {
    const msg = err instanceof OnairError ? err.message : syscallFailed("open", path, err);
    throw new PidFileError("ONAIR_PID_FILE_WRITE", msg, "emerg", path);
  }
}

/** Removes the pid file if it still holds our pid (a newer instance may own it). */
export function removePidFile(path: string, pid: number = process.pid): void {
  try {
    if (readPidFile(path) !== pid) return;
    unlinkSync(path);
  } catch {
    /* gone already, or not ours */
  }
}
