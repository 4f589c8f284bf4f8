/**
 * The error log: nginx's line format and levels, one or more targets (files or
 * standard error, as `error_log` may appear several times), each with its own
 * minimum level. Writes are synchronous, as nginx's are: a line is on disk
 * before the next statement runs, so a crash never loses the reason.
 *
 *   2024/11/25 17:14:26 [error] 1234#0: message
 */
import { writeSync } from "node:fs";
import type { LogLevel } from "../../config/types.js";
import { LOG_LEVELS, type Logger } from "../../util/logger.js";
import { syscallFailed } from "../process/sys-error.js";
import { closeQuietly, openLogFile } from "./log-file.js";
import { formatLogTime } from "./log-time.js";

export interface ErrorLogTarget {
  /** Absolute file path, or "stderr". */
  path: string;
  /** Lowest level written to this target. */
  level: LogLevel;
}

export const STDERR_TARGET = "stderr";

interface OpenTarget {
  path: string;
  minIdx: number;
  /** -1 for stderr */
  fd: number;
}

export interface ErrorLogOptions {
  pid?: number;
  now?: () => Date;
}

function isStderr(path: string): boolean {
  return path === STDERR_TARGET || path === "/dev/stderr";
}

export class ErrorLog implements Logger {
  #targets: OpenTarget[] = [];
  readonly #pid: number;
  readonly #now: () => Date;

  /** Opens every target; throws LogOpenError (nginx wording) if one cannot be opened. */
  constructor(targets: ErrorLogTarget[], opts: ErrorLogOptions = {}) {
    this.#pid = opts.pid ?? process.pid;
    this.#now = opts.now ?? (() => new Date());
    this.#targets = ErrorLog.#open(targets);
  }

  static #open(targets: ErrorLogTarget[]): OpenTarget[] {
    const opened: OpenTarget[] = [];
    try {
      for (const t of targets) {
        const minIdx = LOG_LEVELS.indexOf(t.level);
        opened.push({ path: t.path, minIdx, fd: isStderr(t.path) ? -1 : openLogFile(t.path) });
      }
    } catch (err) {
      for (const o of opened) if (o.fd >= 0) closeQuietly(o.fd);
      throw err;
    }
    return opened;
  }

  /** True if some target writes to standard error. */
  get writesToStderr(): boolean {
    return this.#targets.some((t) => t.fd < 0);
  }

  /** Lowest level any target accepts (to skip building debug messages). */
  get minLevel(): LogLevel {
    const idx = Math.min(...this.#targets.map((t) => t.minIdx), LOG_LEVELS.length - 1);
    return LOG_LEVELS[idx] ?? "emerg";
  }

  enabled(level: LogLevel): boolean {
    const idx = LOG_LEVELS.indexOf(level);
    return this.#targets.some((t) => idx >= t.minIdx);
  }

  /** Formats one line as nginx does (without the newline). */
  format(level: LogLevel, message: string): string {
    return `${formatLogTime(this.#now())} [${level}] ${this.#pid}#0: ${message}`;
  }

  log(level: LogLevel, message: string): void {
    this.#write(level, message, true);
  }

  /** Logs to file targets only (the caller already told standard error). */
  logToFiles(level: LogLevel, message: string): void {
    this.#write(level, message, false);
  }

  #write(level: LogLevel, message: string, toStderr: boolean): void {
    const idx = LOG_LEVELS.indexOf(level);
    let line: string | undefined;
    for (const t of this.#targets) {
      if (idx < t.minIdx) continue;
      if (t.fd < 0 && !toStderr) continue;
      line ??= `${this.format(level, message)}\n`;
      try {
        if (t.fd < 0) process.stderr.write(line);
        else writeSync(t.fd, line);
      } catch {
        /* a full disk must not take the server down; nothing else to tell */
      }
    }
  }

  debug(message: string): void {
    this.log("debug", message);
  }
  info(message: string): void {
    this.log("info", message);
  }
  notice(message: string): void {
    this.log("notice", message);
  }
  warn(message: string): void {
    this.log("warn", message);
  }
  error(message: string): void {
    this.log("error", message);
  }
  crit(message: string): void {
    this.log("crit", message);
  }
  alert(message: string): void {
    this.log("alert", message);
  }
  emerg(message: string): void {
    this.log("emerg", message);
  }

  /**
   * Reopens every file target (logrotate: the old file was renamed). A file
   * that cannot be reopened keeps its old descriptor and the failure is logged
   * at `alert`, as nginx does.
   */
  reopen(): void {
    for (const t of this.#targets) {
      if (t.fd < 0) continue;
      try {
        const fd = openLogFile(t.path);
        closeQuietly(t.fd);
        t.fd = fd;
      } catch (err) {
        this.log("alert", err instanceof Error ? err.message : syscallFailed("open", t.path, err));
      }
    }
  }

  /**
   * Switches to a new set of targets (reload). Opens the new ones first; if one
   * fails, throws and keeps the old ones.
   */
  configure(targets: ErrorLogTarget[]): void {
    const next = ErrorLog.#open(targets);
    const old = this.#targets;
    this.#targets = next;
    for (const t of old) if (t.fd >= 0) closeQuietly(t.fd);
  }

  close(): void {
    for (const t of this.#targets) if (t.fd >= 0) closeQuietly(t.fd);
    this.#targets = this.#targets.filter((t) => t.fd < 0);
  }
}
