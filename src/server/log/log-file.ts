/**
 * Opening a log file the way nginx does: append mode, created if missing
 * (its folder too, so a fresh prefix works), errors worded as nginx's.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { OnairError } from "../../util/errors.js";
import { syscallFailed } from "../process/sys-error.js";

export class LogOpenError extends OnairError {
  constructor(message: string, path: string, cause: unknown) {
    super("ONAIR_LOG_OPEN_FAILED", message, { path, cause });
  }
}

/** Makes sure the folder of `path` exists; throws LogOpenError in nginx's wording. */
export function ensureParentDir(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new LogOpenError(syscallFailed("mkdir", dir, err), path, err);
  }
}

/** Opens `path` for appending (mode 0644), creating its folder; returns the fd. */
export function openLogFile(path: string): number {
  ensureParentDir(path);
  try {
    return openSync(path, "a", 0o644);
  } catch (err) {
    throw new LogOpenError(syscallFailed("open", path, err), path, err);
  }
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}
